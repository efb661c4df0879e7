import AutoserveServer
import Foundation
import MLOpsKit
import MLOpsKitTestSupport
import Synchronization
import Testing

/// The gateway over loopback, in front of real stand-in model servers (`stand_in_model_server.py`),
/// with the project's libcurl client, curl(1) for streamed bodies, and raw sockets.
@Suite("Gateway server", .serialized)
struct GatewayServerTests {
    static let key = ServingKey(model: "iris", alias: "Production")

    /// A started gateway with `upstream` serving ``key``.
    static func gateway(
        serving upstream: StandInModelServer?, configuration: GatewayServer.Configuration = .init(threads: 2),
        observer: any GatewayRequestObserver = NoGatewayRequestObserver()
    ) async throws -> (GatewayServer, GatewayRouteTable) {
        let routes = GatewayRouteTable()
        if let upstream { routes.serve(key, instance: instance(upstream, id: "i-\(upstream.version)")) }
        let gateway = GatewayServer(configuration: configuration, routes: routes, observer: observer)
        try await gateway.start()
        return (gateway, routes)
    }

    static func instance(_ upstream: StandInModelServer, id: String, key: ServingKey = key) -> ServingInstance {
        ServingInstance(
            id: id, name: ServingNames.stable(for: key),
            labels: [
                ServingLabels.serve: "true", ServingLabels.model: key.model, ServingLabels.alias: key.alias,
                ServingLabels.version: upstream.version, ServingLabels.port: String(upstream.port),
            ],
            state: .running, endpoint: upstream.endpoint)
    }

    static func url(_ gateway: GatewayServer, _ path: String) -> URL {
        URL(string: "http://\(gateway.address ?? "")\(path)")!
    }

    static func port(_ gateway: GatewayServer) -> Int {
        Int(gateway.address?.split(separator: ":").last ?? "") ?? 0
    }

    static func post(_ gateway: GatewayServer, _ path: String, _ body: String, headers: TransportHeaders = [:]) async throws -> TransportResponse {
        var headers = headers
        headers["Content-Type"] = "application/json"
        return try await CurlTransport().send(
            TransportRequest(method: .post, url: url(gateway, path), headers: headers, body: .bytes(Data(body.utf8))))
    }

    static func json(_ response: TransportResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: response.body) as? [String: Any])
    }

    static let invocation = #"{"inputs": [[1, 2], [3, 4]]}"#

    @Test("the path form reaches the instance serving the key: invocations, ping, version, with the query kept")
    func pathRoutes() async throws {
        let upstream = try StandInModelServer(version: "4")
        let (gateway, _) = try await Self.gateway(serving: upstream)
        let answer = try await Self.post(gateway, "/models/iris/Production/invocations", Self.invocation)
        #expect(answer.status == 200)
        #expect(try Self.json(answer)["predictions"] as? [Int] == [4, 4])
        let ping = try await CurlTransport().send(TransportRequest(url: Self.url(gateway, "/models/iris/Production/ping")))
        #expect(ping.status == 200)
        let version = try await CurlTransport().send(TransportRequest(url: Self.url(gateway, "/models/iris/Production/version")))
        #expect(try Self.json(version)["version"] as? String == "4")
        let echoed = try await Self.post(
            gateway, "/models/iris/Production/invocations?format=x&y=1", "{}", headers: ["X-Stand-In-Echo": "headers"])
        #expect(try Self.json(echoed)["path"] as? String == "/invocations?format=x&y=1")
        await gateway.stop()
        await upstream.stop()
    }

    @Test("Host: mlflow-serve-<model>-<alias> reaches the key with the scoring server's own paths")
    func hostRoutes() async throws {
        let upstream = try StandInModelServer(version: "2")
        let (gateway, _) = try await Self.gateway(serving: upstream)
        let answer = try await Self.post(
            gateway, "/invocations", Self.invocation, headers: ["Host": "mlflow-serve-iris-production:8080"])
        #expect(answer.status == 200)
        #expect(try Self.json(answer)["version"] as? String == "2")
        let unknown = try await Self.post(gateway, "/invocations", Self.invocation, headers: ["Host": "mlflow-serve-other-production"])
        #expect(unknown.status == 404)
        await gateway.stop()
        await upstream.stop()
    }

    @Test("unknown model or alias: 404 naming them; wrong method: 405 with Allow; not ready: 503 with Retry-After")
    func gatewayAnswers() async throws {
        let upstream = try StandInModelServer(version: "1")
        let (gateway, routes) = try await Self.gateway(serving: upstream)
        let model = try await Self.post(gateway, "/models/wine/Production/invocations", Self.invocation)
        #expect(model.status == 404)
        #expect(try Self.json(model)["error_code"] as? String == "RESOURCE_DOES_NOT_EXIST")
        #expect(model.bodyText.contains("'wine'"))
        let alias = try await Self.post(gateway, "/models/iris/Staging/invocations", Self.invocation)
        #expect(alias.status == 404)
        #expect(alias.bodyText.contains("'Staging'") && alias.bodyText.contains("Production"))
        let method = try await CurlTransport().send(TransportRequest(url: Self.url(gateway, "/models/iris/Production/invocations")))
        #expect(method.status == 405)
        #expect(method.headers["Allow"] == "POST")
        routes.unavailable(Self.key, retryAfter: .seconds(7))
        let unavailable = try await Self.post(gateway, "/models/iris/Production/invocations", Self.invocation)
        #expect(unavailable.status == 503)
        #expect(unavailable.headers["Retry-After"] == "7")
        #expect(try Self.json(unavailable)["alias"] as? String == "Production")
        await gateway.stop()
        await upstream.stop()
    }

    @Test("hop-by-hop headers stay on their hop; the instance sees its own Host and X-Forwarded-*")
    func headers() async throws {
        let upstream = try StandInModelServer(version: "1")
        let (gateway, _) = try await Self.gateway(serving: upstream)
        let answer = try await Self.post(
            gateway, "/models/iris/Production/invocations", "{}",
            headers: [
                "X-Stand-In-Echo": "headers", "Connection": "keep-alive, X-Private", "X-Private": "secret-hop",
                "Keep-Alive": "timeout=5", "X-Forwarded-For": "198.51.100.7", "X-Custom": "kept",
            ])
        let seen = try #require(try Self.json(answer)["headers"] as? [String: String])
        #expect(seen["host"] == "127.0.0.1:\(upstream.port)")
        #expect(seen["x-forwarded-host"] == gateway.address)
        #expect(seen["x-forwarded-for"] == "198.51.100.7, 127.0.0.1")
        #expect(seen["x-forwarded-proto"] == "http")
        #expect(seen["x-custom"] == "kept")
        #expect(seen["x-private"] == nil)
        #expect(seen["keep-alive"] == nil)
        #expect(seen["connection"] == nil)
        await gateway.stop()
        await upstream.stop()
    }

    @Test("keep-alive clients share a few upstream connections, reused across requests")
    func reusesUpstreamConnections() async throws {
        let upstream = try StandInModelServer(version: "1")
        let (gateway, _) = try await Self.gateway(serving: upstream)
        let transport = CurlTransport()
        for _ in 0..<50 {
            let answer = try await transport.send(
                TransportRequest(
                    method: .post, url: Self.url(gateway, "/models/iris/Production/invocations"),
                    headers: ["Content-Type": "application/json"], body: .bytes(Data(Self.invocation.utf8))))
            #expect(answer.status == 200)
        }
        let idle = await gateway.idleUpstreamConnections()
        #expect((1...2).contains(idle))
        await gateway.stop()
        await upstream.stop()
    }

    @Test("a switch while requests are in flight: they finish on the old instance, new ones reach the new one")
    func switchKeepsInFlightRequests() async throws {
        let old = try StandInModelServer(version: "1")
        let new = try StandInModelServer(version: "2")
        let (gateway, routes) = try await Self.gateway(serving: old)
        async let slow = Self.post(gateway, "/models/iris/Production/invocations", Self.invocation, headers: ["X-Stand-In-Sleep": "1"])
        try await Task.sleep(for: .milliseconds(300))
        routes.serve(Self.key, instance: Self.instance(new, id: "i-2"))
        let clock = ServingClock.system
        let drain = Task { await routes.drain(["i-1"], until: clock.now + .seconds(10), clock: clock) }
        let fresh = try await Self.post(gateway, "/models/iris/Production/invocations", Self.invocation)
        #expect(try Self.json(fresh)["version"] as? String == "2")
        #expect(try Self.json(try await slow)["version"] as? String == "1")
        #expect(await drain.value == .drained)
        await gateway.stop()
        await old.stop()
        await new.stop()
    }
}
