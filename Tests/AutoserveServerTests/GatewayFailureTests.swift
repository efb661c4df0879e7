import AutoserveServer
import Foundation
import MLOpsKit
import MLOpsKitTestSupport
import Testing

/// Large bodies both ways, limits, and instances that fail, through the gateway to stand-in model servers.
@Suite("Gateway server: streaming and failures", .serialized)
struct GatewayFailureTests {
    typealias Fixture = GatewayServerTests

    /// Runs a shell command line; its standard output, trimmed.
    static func shell(_ command: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", command]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// This process's resident memory, in KiB.
    static func residentKiB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    @Test("a 100 MiB chunked upload streams through (the instance hashes what it got) without being held in memory")
    func largeUpload() async throws {
        let upstream = try StandInModelServer(version: "1")
        let (gateway, _) = try await Fixture.gateway(serving: upstream)
        let before = Self.residentKiB()
        let url = Fixture.url(gateway, "/models/iris/Production/invocations")
        let answer = try Self.shell(
            "head -c 104857600 /dev/zero | curl -sS -H 'Transfer-Encoding: chunked' -H 'X-Stand-In-Echo: size' "
                + "-H 'Content-Type: application/octet-stream' --data-binary @- '\(url)'")
        let expected = try Self.shell("head -c 104857600 /dev/zero | sha256sum | cut -d' ' -f1")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any])
        #expect(json["bytes"] as? Int == 104_857_600)
        #expect(json["sha256"] as? String == expected)
        // Without Expect: 100-continue, by Content-Length.
        let sized = try Self.shell(
            "head -c 20971520 /dev/zero > /tmp/gateway-upload-$$ && curl -sS -H 'Expect:' -H 'X-Stand-In-Echo: size' "
                + "--data-binary @/tmp/gateway-upload-$$ '\(url)'; rm -f /tmp/gateway-upload-$$")
        #expect(sized.contains("\"bytes\": 20971520"))
        #expect(Self.residentKiB() - before < 24 * 1024)
        await gateway.stop()
        await upstream.stop()
    }

    @Test("a 100 MiB chunked answer streams back")
    func largeAnswer() async throws {
        let upstream = try StandInModelServer(version: "1")
        let (gateway, _) = try await Fixture.gateway(serving: upstream)
        let url = Fixture.url(gateway, "/models/iris/Production/invocations")
        let before = Self.residentKiB()
        let size = try Self.shell(
            "curl -sS -H 'X-Stand-In-Stream: 1600,65536' -d '{}' '\(url)' -o /dev/null -w '%{http_code} %{size_download}'")
        #expect(size == "200 104857600")
        #expect(Self.residentKiB() - before < 24 * 1024)
        await gateway.stop()
        await upstream.stop()
    }

    @Test("bodies past the limit get 413, by Content-Length before anything is sent and while a chunked body streams")
    func tooLarge() async throws {
        let upstream = try StandInModelServer(version: "1")
        let (gateway, _) = try await Fixture.gateway(
            serving: upstream, configuration: .init(threads: 1, maximumBodyBytes: 4096))
        let url = Fixture.url(gateway, "/models/iris/Production/invocations")
        let declared = try Self.shell(
            "head -c 1048576 /dev/zero | curl -sS -o /dev/null -w '%{http_code}' --data-binary @- '\(url)'")
        #expect(declared == "413")
        let chunked = try Self.shell(
            "head -c 1048576 /dev/zero | curl -sS -o /dev/null -w '%{http_code}' -H 'Transfer-Encoding: chunked' --data-binary @- '\(url)'")
        #expect(chunked == "413")
        let small = try await Fixture.post(gateway, "/models/iris/Production/invocations", Fixture.invocation)
        #expect(small.status == 200)
        await gateway.stop()
        await upstream.stop()
    }

    @Test("an oversized head gets 400")
    func oversizedHead() async throws {
        let upstream = try StandInModelServer(version: "1")
        let (gateway, _) = try await Fixture.gateway(serving: upstream, configuration: .init(threads: 1, maximumHeaderBytes: 2048))
        let connection = try RawHTTPConnection(port: Fixture.port(gateway))
        connection.write(
            "GET /models/iris/Production/ping HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 8192))\r\n\r\n")
        let answer = await connection.readToEnd()
        #expect(answer.hasPrefix("HTTP/1.1 400"))
        await gateway.stop()
        await upstream.stop()
    }

    @Test("an instance that resets gets 502; one that refuses gets 502; one that is slow gets 504")
    func upstreamFailures() async throws {
        let resetting = try StandInModelServer(version: "3", behaviour: "reset")
        let (gateway, routes) = try await Fixture.gateway(
            serving: resetting, configuration: .init(threads: 1, upstreamResponseTimeout: .milliseconds(500)))
        let reset = try await Fixture.post(gateway, "/models/iris/Production/invocations", Fixture.invocation)
        #expect(reset.status == 502)
        #expect(reset.bodyText.contains("BAD_GATEWAY") && reset.bodyText.contains("version 3"))

        let slow = try StandInModelServer(version: "4")
        routes.serve(Fixture.key, instance: Fixture.instance(slow, id: "i-4"))
        let timedOut = try await Fixture.post(
            gateway, "/models/iris/Production/invocations", Fixture.invocation, headers: ["X-Stand-In-Sleep": "2"])
        #expect(timedOut.status == 504)
        #expect(timedOut.bodyText.contains("GATEWAY_TIMEOUT"))
        let after = try await Fixture.post(gateway, "/models/iris/Production/invocations", Fixture.invocation)
        #expect(after.status == 200)

        await slow.stop()
        let refused = try await Fixture.post(gateway, "/models/iris/Production/invocations", Fixture.invocation)
        #expect(refused.status == 502)
        #expect(refused.bodyText.contains("refused"))
        await gateway.stop()
        await resetting.stop()
    }

    @Test("a connection refused by a retired instance is sent to the instance serving the key now")
    func connectFailureFollowsTheRoute() async throws {
        let old = try StandInModelServer(version: "1")
        let new = try StandInModelServer(version: "2")
        let (gateway, routes) = try await Fixture.gateway(serving: old, configuration: .init(threads: 1))
        await old.stop()
        routes.serve(Fixture.key, instance: Fixture.instance(new, id: "i-2"))
        let answer = try await Fixture.post(gateway, "/models/iris/Production/invocations", Fixture.invocation)
        #expect(answer.status == 200)
        #expect(try Fixture.json(answer)["version"] as? String == "2")
        await gateway.stop()
        await new.stop()
    }

    @Test("a client that leaves mid-body gives its lease back and leaves no connection open")
    func clientLeavesMidBody() async throws {
        let upstream = try StandInModelServer(version: "1")
        let (gateway, routes) = try await Fixture.gateway(serving: upstream, configuration: .init(threads: 1))
        let target = try #require(routes.target(instanceID: "i-1"))
        for _ in 0..<20 {
            let connection = try RawHTTPConnection(port: Fixture.port(gateway))
            connection.write(
                "POST /models/iris/Production/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{\"inputs\": [")
            try await Task.sleep(for: .milliseconds(20))
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while gateway.openConnections > 0 || target.requestsInFlight > 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(gateway.openConnections == 0)
        #expect(target.requestsInFlight == 0)
        await gateway.stop()
        await upstream.stop()
    }
}
