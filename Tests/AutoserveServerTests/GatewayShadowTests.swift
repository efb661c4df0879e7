import AutoserveServer
import Foundation
import MLOpsKit
import MLOpsKitTestSupport
import Synchronization
import Testing

/// Shadow copies through the gateway, over loopback, to stand-in model servers.
@Suite("Gateway server: shadow", .serialized)
struct GatewayShadowTests {
    typealias Fixture = GatewayServerTests
    static let production = ServingKey(model: "iris", alias: "Production")
    static let test = ServingKey(model: "iris", alias: "Test")

    /// Counts the shadow outcomes the gateway reports.
    final class ShadowCounts: GatewayRequestObserver {
        let counts = Mutex<[String: Int]>([:])
        func requestStarted(on target: UpstreamTarget) {}
        func requestFinished(_ record: GatewayRequestRecord) {}
        func upstreamConnectFailed(_ target: UpstreamTarget) {}
        func upstreamFailed(_ target: UpstreamTarget, kind: GatewayUpstreamFailure) {}
        func shadowCompared(model: String, alias: String, shadow: String, result: ShadowComparisonResult) {
            counts.withLock { $0["\(model)/\(alias)→\(shadow) \(result.rawValue)", default: 0] += 1 }
        }
        func shadowDropped(model: String, alias: String, shadow: String) {
            counts.withLock { $0["\(model)/\(alias)→\(shadow) dropped", default: 0] += 1 }
        }
        subscript(_ name: String) -> Int { counts.withLock { $0["iris/Production→Test \(name)", default: 0] } }

        /// Waits (up to 10 s) until `total` outcomes are counted.
        func wait(for total: Int) async throws {
            let deadline = ContinuousClock.now + .seconds(10)
            while counts.withLock({ $0.values.reduce(0, +) }) < total, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    static func gateway(
        _ production: StandInModelServer, _ test: StandInModelServer, observer: ShadowCounts
    ) async throws -> (GatewayServer, GatewayRouteTable) {
        let routes = GatewayRouteTable(shadows: [ShadowRule(primary: "Production", shadow: "Test")])
        routes.serve(Self.production, instance: Fixture.instance(production, id: "p-\(production.version)", key: Self.production))
        routes.serve(Self.test, instance: Fixture.instance(test, id: "t-\(test.version)", key: Self.test))
        let gateway = GatewayServer(configuration: .init(threads: 2), routes: routes, observer: observer)
        try await gateway.start()
        return (gateway, routes)
    }

    @Test("copies reach the shadow: the same version's predictions agree, another version's disagree, a failing shadow is an error")
    func comparisons() async throws {
        let v1 = try StandInModelServer(version: "1")
        let sameVersion = try StandInModelServer(version: "1")
        let v2 = try StandInModelServer(version: "2")
        let counts = ShadowCounts()
        let (gateway, routes) = try await Self.gateway(v1, sameVersion, observer: counts)
        let path = "/models/iris/Production/invocations"
        for _ in 0..<20 {
            let answer = try await Fixture.post(gateway, path, Fixture.invocation)
            #expect(try Fixture.json(answer)["version"] as? String == "1")
        }
        try await counts.wait(for: 20)
        #expect(counts["agree"] == 20)
        routes.serve(Self.test, instance: Fixture.instance(v2, id: "t-2", key: Self.test))
        for _ in 0..<10 {
            let answer = try await Fixture.post(gateway, path, Fixture.invocation)
            #expect(try Fixture.json(answer)["version"] as? String == "1")
        }
        try await counts.wait(for: 30)
        #expect(counts["disagree"] == 10)
        // Only /invocations of Production are copied; Test's own requests are not.
        _ = try await Fixture.post(gateway, "/models/iris/Test/invocations", Fixture.invocation)
        _ = try await CurlTransport().send(TransportRequest(url: Fixture.url(gateway, "/models/iris/Production/ping")))
        // A shadow that is gone: an error, and Production still answers.
        await v2.stop()
        let answer = try await Fixture.post(gateway, path, Fixture.invocation)
        #expect(answer.status == 200)
        try await counts.wait(for: 31)
        try await Task.sleep(for: .milliseconds(200))
        #expect(counts["error"] == 1)
        #expect(counts.counts.withLock { $0.values.reduce(0, +) } == 31)
        await gateway.stop()
        await v1.stop()
        await sameVersion.stop()
    }

    /// Production's latencies over `count` sequential requests, in seconds.
    static func latencies(_ gateway: GatewayServer, count: Int) async throws -> [Double] {
        let transport = CurlTransport()
        let url = Fixture.url(gateway, "/models/iris/Production/invocations")
        var latencies: [Double] = []
        for _ in 0..<count {
            let start = ContinuousClock.now
            let answer = try await transport.send(
                TransportRequest(
                    method: .post, url: url, headers: ["Content-Type": "application/json"], body: .bytes(Data(Fixture.invocation.utf8))))
            let elapsed = ContinuousClock.now - start
            #expect(answer.status == 200)
            latencies.append(Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds))
        }
        return latencies
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }

    @Test("a shadow that takes 5 s never delays Production; copies past the in-flight bound are dropped and counted")
    func slowShadowDoesNotDelay() async throws {
        let v1 = try StandInModelServer(version: "1")
        let slow = try StandInModelServer(version: "2", behaviour: "slow:5")
        let counts = ShadowCounts()
        let (gateway, routes) = try await Self.gateway(v1, slow, observer: counts)
        routes.setShadows([])
        _ = try await Self.latencies(gateway, count: 20)  // warm
        let off = try await Self.latencies(gateway, count: 200)
        routes.setShadows([ShadowRule(primary: "Production", shadow: "Test")])
        let on = try await Self.latencies(gateway, count: 200)
        let difference = abs(Self.median(on) - Self.median(off))
        #expect(difference < 0.001, "median off \(Self.median(off)) s, on \(Self.median(on)) s")
        #expect((on.max() ?? 0) < 1, "slowest with the shadow on: \(on.max() ?? 0) s")
        // Two event loops hold at most 32 copies each: the rest were dropped.
        #expect(counts["dropped"] >= 200 - 64)
        #expect(counts["dropped"] < 200)
        await gateway.stop()
        await v1.stop()
        await slow.stop()
    }
}

extension GatewayShadowTests {
    @Test("a request body over 1 MiB is not copied (an error) and Production answers it; later copies still go out")
    func largeBody() async throws {
        let v1 = try StandInModelServer(version: "1")
        let test = try StandInModelServer(version: "1")
        let counts = ShadowCounts()
        let (gateway, _) = try await Self.gateway(v1, test, observer: counts)
        let rows = String(repeating: "[1, 2], ", count: 200_000)
        let large = #"{"inputs": [\#(rows)[1, 2]]}"#
        #expect(large.utf8.count > 1 << 20)
        let answer = try await Fixture.post(gateway, "/models/iris/Production/invocations", large)
        #expect(answer.status == 200)
        try await counts.wait(for: 1)
        #expect(counts["error"] == 1)
        for _ in 0..<6 { _ = try await Fixture.post(gateway, "/models/iris/Production/invocations", Fixture.invocation) }
        try await counts.wait(for: 7)
        #expect(counts["agree"] == 6)
        await gateway.stop()
        await v1.stop()
        await test.stop()
    }
}
