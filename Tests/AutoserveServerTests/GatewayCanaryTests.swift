import AutoserveServer
import Foundation
import MLOpsKit
import MLOpsKitTestSupport
import Testing

/// Canary splits and forced aliases through the gateway, over loopback, to two stand-in model servers.
@Suite("Gateway server: canary", .serialized)
struct GatewayCanaryTests {
    typealias Fixture = GatewayServerTests
    static let production = ServingKey(model: "iris", alias: "Production")
    static let challenger = ServingKey(model: "iris", alias: "Challenger")

    /// A gateway with version 1 serving Production and version 2 serving Challenger, Production split 10 %.
    static func splitGateway(
        _ v1: StandInModelServer, _ v2: StandInModelServer, basisPoints: Int = 1000
    ) async throws -> GatewayServer {
        let routes = GatewayRouteTable(canaries: [CanaryRule(primary: "Production", canary: "Challenger", basisPoints: basisPoints)])
        routes.serve(production, instance: Fixture.instance(v1, id: "i-1", key: production))
        routes.serve(challenger, instance: Fixture.instance(v2, id: "i-2", key: challenger))
        let gateway = GatewayServer(configuration: .init(threads: 2, trafficSeed: 2026), routes: routes)
        try await gateway.start()
        return gateway
    }

    @Test("10 % of 2,000 requests for Production are answered by Challenger's version 2 (8–12 %)")
    func split() async throws {
        let v1 = try StandInModelServer(version: "1")
        let v2 = try StandInModelServer(version: "2")
        let gateway = try await Self.splitGateway(v1, v2)
        let transport = CurlTransport()
        let url = Fixture.url(gateway, "/models/iris/Production/invocations")
        var byVersion: [String: Int] = [:]
        for _ in 0..<2000 {
            let answer = try await transport.send(
                TransportRequest(
                    method: .post, url: url, headers: ["Content-Type": "application/json"], body: .bytes(Data(Fixture.invocation.utf8))))
            #expect(answer.status == 200)
            byVersion[try Fixture.json(answer)["version"] as? String ?? "?", default: 0] += 1
        }
        let share = Double(byVersion["2", default: 0]) / 2000
        #expect((0.08...0.12).contains(share), "answered by version: \(byVersion)")
        #expect(byVersion["1", default: 0] + byVersion["2", default: 0] == 2000)
        await gateway.stop()
        await v1.stop()
        await v2.stop()
    }

    @Test("X-MLOps-Route forces an alias of the same model, is not forwarded, and an unserved one is 404 naming it")
    func forcedRoute() async throws {
        let v1 = try StandInModelServer(version: "1")
        let v2 = try StandInModelServer(version: "2")
        // 100 %: every request for Production would go to Challenger, unless forced.
        let gateway = try await Self.splitGateway(v1, v2, basisPoints: 10_000)
        let path = "/models/iris/Production/invocations"
        let split = try await Fixture.post(gateway, path, Fixture.invocation)
        #expect(try Fixture.json(split)["version"] as? String == "2")
        for _ in 0..<20 {
            let forced = try await Fixture.post(gateway, path, Fixture.invocation, headers: ["X-MLOps-Route": "Production"])
            #expect(try Fixture.json(forced)["version"] as? String == "1")
        }
        let toChallenger = try await Fixture.post(
            gateway, "/models/iris/Production/invocations", "{}", headers: ["X-MLOps-Route": "Challenger", "X-Stand-In-Echo": "headers"])
        let seen = try #require(try Fixture.json(toChallenger)["headers"] as? [String: String])
        #expect(seen["x-mlops-route"] == nil)
        #expect(seen["host"] == "127.0.0.1:\(v2.port)")
        let unknown = try await Fixture.post(gateway, path, Fixture.invocation, headers: ["X-MLOps-Route": "Shadowy"])
        #expect(unknown.status == 404)
        #expect(try Fixture.json(unknown)["alias"] as? String == "Shadowy")
        #expect(unknown.bodyText.contains("'Shadowy'"))
        await gateway.stop()
        await v1.stop()
        await v2.stop()
    }
}
