import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsOrchestration
@testable import MLOpsServing
@testable import MLOpsAutoserve

@Suite struct ServingEndpointResolverTests {
    static let key = ServingKey(model: "iris", alias: "Production")
    static let date = Date(timeIntervalSince1970: 1_700_000_000)

    static func instance(_ name: String, version: String, state: ServingInstanceState = .running, port: Int, started: Double = 0) -> ServingInstance {
        ServingInstance(
            id: name, name: name,
            labels: [ServingLabels.serve: "true", ServingLabels.model: "iris", ServingLabels.alias: "Production", ServingLabels.version: version],
            state: state, endpoint: URL(string: "http://127.0.0.1:\(port)"), startedAt: Date(timeIntervalSince1970: started))
    }

    @Test func theAgentsEndpointServesEvenWhileARolloutRuns() throws {
        var status = ServingStatus(
            model: "iris", alias: "Production", desiredVersion: "4", servingVersion: "3", endpoint: "http://127.0.0.1:5001",
            instanceID: "i3", state: .progressing, reason: "RollingOut", since: Self.date)
        var document = AutoserveStatusDocument(runtime: "process", aliases: ["Production"], lastSync: nil, lastSyncError: nil, keys: [status])
        let endpoint = try ServingEndpointResolver.endpoint(for: Self.key, in: document, agentURL: "http://a")
        #expect(endpoint.url.absoluteString == "http://127.0.0.1:5001")
        #expect(endpoint.version == "3")
        #expect(endpoint.instanceID == "i3")
        #expect(endpoint.source == .agent("http://a"))

        status.endpoint = nil
        status.state = .degraded
        status.reason = "FailedToLoad"
        document.keys = [status]
        #expect(throws: ServingEndpointResolverError.self) {
            try ServingEndpointResolver.endpoint(for: Self.key, in: document, agentURL: "http://a")
        }
        do {
            _ = try ServingEndpointResolver.endpoint(for: ServingKey(model: "wine", alias: "Production"), in: document, agentURL: "http://a")
        } catch {
            guard case .notServed(_, let detail) = error else { Issue.record("\(error)"); return }
            #expect(detail.contains("does not serve it"))
        }
    }

    @Test func theStableInstanceIsPreferredThenTheNewest() {
        let stable = Self.instance(ServingNames.stable(for: Self.key), version: "3", port: 1, started: 10)
        let candidate = Self.instance(ServingNames.candidate(for: Self.key, version: "4"), version: "4", port: 2, started: 20)
        let exited = Self.instance("old", version: "2", state: .exited(exitCode: 0), port: 3, started: 30)
        #expect(ServingEndpointResolver.preferredInstance(for: Self.key, among: [candidate, stable, exited]) == stable)
        #expect(ServingEndpointResolver.preferredInstance(for: Self.key, among: [candidate, exited]) == candidate)
        #expect(ServingEndpointResolver.preferredInstance(for: Self.key, among: [exited]) == nil)
    }

    @Test func withoutAnAgentTheRuntimeIsAsked() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlopskit-resolver-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let runtime = try ProcessServingRuntime(configuration: .init(stateDirectory: directory.path, lockStateDirectory: false))
        defer { Task { await runtime.close() } }
        let resolver = ServingEndpointResolver(agent: nil) { runtime }
        await #expect(throws: ServingEndpointResolverError.self) { try await resolver.resolve(Self.key) }

        let failing = ServingEndpointResolver(agent: nil) { throw ServingRuntimeError.unavailable("no daemon") }
        do {
            _ = try await failing.resolve(Self.key)
            Issue.record("resolved without a runtime")
        } catch {
            guard case .unavailable(_, nil, let reason) = error else { Issue.record("\(error)"); return }
            #expect(reason.contains("no daemon"))
        }
    }

    /// The agent's first answer names an endpoint that refuses connections (its instance was just
    /// replaced), the second the real model server: the request goes there once.
    @Test func aRefusedConnectionIsResolvedAgainOnce() async throws {
        let server = try await ModelServerClientTests.StandInServer(version: "2")
        let closed = try #require(LoopbackPort.allocate())
        func document(_ endpoint: String, version: String) throws -> TransportResponse {
            var status = ServingStatus(
                model: "iris", alias: "Production", desiredVersion: version, servingVersion: version, endpoint: endpoint,
                state: .ready, since: Self.date)
            status.instanceID = "v\(version)"
            let body = try AutoserveStatusDocument.makeEncoder().encode(
                AutoserveStatusDocument(runtime: "process", aliases: ["Production"], lastSync: nil, lastSyncError: nil, keys: [status]))
            return TransportResponse(status: 200, body: body)
        }
        let agentTransport = MockTransport()
        agentTransport.enqueue(try document("http://127.0.0.1:\(closed)", version: "1"))
        agentTransport.enqueue(try document(server.endpoint.absoluteString, version: "2"))
        let resolver = ServingEndpointResolver(
            agent: AutoserveAgentClient(baseURL: URL(string: "http://127.0.0.1:9101")!, transport: agentTransport)
        ) { throw ServingRuntimeError.unavailable("not needed") }
        let input = try ModelServerInput.json(Data(#"{"inputs": [[1], [2], [3]]}"#.utf8))
        let prediction = try await resolver.invoke(Self.key, input: input) { ModelServerClient(endpoint: $0) }
        #expect(prediction.resolvedAgain)
        #expect(prediction.endpoint.version == "2")
        let object = try #require(try JSONSerialization.jsonObject(with: prediction.response.body) as? [String: Any])
        #expect(object["predictions"] as? [Int] == [2, 2, 2])
        #expect(agentTransport.requests.count == 2)

        // A second refusal is reported, not chased.
        agentTransport.enqueue(try document("http://127.0.0.1:\(closed)", version: "1"))
        agentTransport.enqueue(try document("http://127.0.0.1:\(closed)", version: "1"))
        await #expect(throws: ModelServerError.self) {
            try await resolver.invoke(Self.key, input: input) { ModelServerClient(endpoint: $0) }
        }
        #expect(agentTransport.requests.count == 4)
        await server.stop()
    }
}
