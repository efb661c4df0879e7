import AutoserveServer
import Foundation
import MLOpsKit
import MLOpsKitTestSupport
import Testing

/// 10,000 bad requests of every kind the gateway refuses or loses, then a look at what is left open.
@Suite("Gateway server: nothing leaks", .serialized)
struct GatewayLeakTests {
    typealias Fixture = GatewayServerTests

    /// TCP connections (any state but LISTEN and TIME_WAIT, which hold no descriptor) with `port` at
    /// either end, from the kernel's table: what the gateway holds open, whatever else runs in the process.
    static func connections(involving ports: Set<Int>) -> Int {
        let table = (try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)) ?? ""
        return table.split(separator: "\n").dropFirst().filter { line in
            let fields = line.split(separator: " ")
            guard fields.count > 3, fields[3] != "0A", fields[3] != "06" else { return false }
            let endpoints = [fields[1], fields[2]].compactMap { $0.split(separator: ":").last.flatMap { Int($0, radix: 16) } }
            return endpoints.contains { ports.contains($0) }
        }.count
    }

    /// One bad request of kind `index % 5` on a connection of its own; returns the status line's code
    /// (0 when the connection was only cut).
    static func badRequest(_ index: Int, port: Int) async throws -> Int {
        let connection = try RawHTTPConnection(port: port)
        switch index % 5 {
        case 0:  // declared too large
            connection.write("POST /models/iris/Production/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n")
        case 1:  // oversized head
            connection.write("GET /models/iris/Production/ping HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "b", count: 4096))\r\n\r\n")
        case 2:  // leaves mid-body
            connection.write("POST /models/iris/Production/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n{\"inputs\"")
            return 0
        case 3:  // an instance that resets
            connection.write(
                "POST /models/iris/Reset/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 17\r\nConnection: close\r\n\r\n{\"inputs\": [[1]]}")
        default:  // unknown key, then garbage
            connection.write("POST /models/nope/Production/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}\u{1}\u{2}garbage\r\n\r\n")
        }
        let answer = await connection.readToEnd()
        return Int(answer.dropFirst("HTTP/1.1 ".count).prefix(3)) ?? 0
    }

    @Test("10,000 bad requests: every one answered as it should be, then no connection, socket, lease or pooled connection is left")
    func tenThousandBadRequests() async throws {
        raiseOpenFileLimit()
        let upstream = try StandInModelServer(version: "1")
        let resetting = try StandInModelServer(version: "9", behaviour: "reset")
        let (gateway, routes) = try await Fixture.gateway(
            serving: upstream, configuration: .init(threads: 2, maximumBodyBytes: 1 << 20, maximumHeaderBytes: 2048))
        let resetKey = ServingKey(model: "iris", alias: "Reset")
        routes.serve(resetKey, instance: Fixture.instance(resetting, id: "i-9", key: resetKey))
        let port = Fixture.port(gateway)
        // Warm up, so that what the first requests allocate for good is in the baseline.
        for index in 0..<50 { _ = try await Self.badRequest(index, port: port) }
        let ports: Set<Int> = [port, upstream.port, resetting.port]

        let counts = try await withThrowingTaskGroup(of: [Int: Int].self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var counts: [Int: Int] = [:]
                    for index in stride(from: worker, to: 10_000, by: 8) {
                        counts[try await Self.badRequest(index, port: port), default: 0] += 1
                    }
                    return counts
                }
            }
            return try await group.reduce(into: [Int: Int]()) { total, counts in total.merge(counts, uniquingKeysWith: +) }
        }
        #expect(counts[413] == 2000)
        #expect(counts[400] == 2000)
        #expect(counts[502] == 2000)
        #expect((counts[404] ?? 0) == 2000)
        #expect(counts[0] == 2000)

        let deadline = ContinuousClock.now + .seconds(15)
        while gateway.openConnections > 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        #expect(gateway.openConnections == 0)
        #expect(routes.target(instanceID: "i-1")?.requestsInFlight == 0)
        #expect(routes.target(instanceID: "i-9")?.requestsInFlight == 0)
        #expect(await gateway.idleUpstreamConnections() <= 2 * 32)
        // Pooled connections to the instances close once idle (4 s).
        try await Task.sleep(for: .seconds(5))
        #expect(await gateway.idleUpstreamConnections() == 0)
        #expect(Self.connections(involving: ports) == 0)
        // The process's resident memory is not asserted here: every test target shares this process and
        // runs beside it (the 100 MiB streams among them), so it measures them too. What each request
        // holds is released with its connection and lease, which the checks above see; the gateway's
        // memory under load is the benchmark's (the agent's peak RSS).
        await gateway.stop()
        await upstream.stop()
        await resetting.stop()
    }
}
