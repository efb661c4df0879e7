import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsOrchestration
@testable import MLOpsServing
@testable import MLOpsAutoserve

@Suite struct AutoserveAgentClientTests {
    static let date = Date(timeIntervalSince1970: 1_700_000_000)

    static func document() -> AutoserveStatusDocument {
        AutoserveStatusDocument(
            runtime: "process", aliases: ["Production"], lastSync: date, lastSyncError: nil,
            keys: [
                ServingStatus(
                    model: "iris", alias: "Production", desiredVersion: "3", servingVersion: "3",
                    endpoint: "http://127.0.0.1:5001", instanceID: "abc", instanceName: "mlflow-serve-iris-production",
                    state: .ready, since: date)
            ])
    }

    @Test func readsTheDocumentTheAgentEncodes() async throws {
        let transport = MockTransport()
        let body = try AutoserveStatusDocument.makeEncoder().encode(Self.document())
        transport.enqueue(TransportResponse(status: 200, headers: ["Content-Type": "application/json"], body: body))
        let client = AutoserveAgentClient(baseURL: URL(string: "http://127.0.0.1:9101")!, transport: transport)
        #expect(try await client.status() == Self.document())
        #expect(transport.lastRequest?.url.absoluteString == "http://127.0.0.1:9101/status")
    }

    @Test func typedErrors() async throws {
        let transport = MockTransport()
        let client = AutoserveAgentClient(baseURL: URL(string: "http://127.0.0.1:9101")!, transport: transport)
        transport.enqueue(status: 404, text: "not found\nmore", contentType: "text/plain")
        await #expect(throws: AutoserveAgentClientError.badStatus(url: "http://127.0.0.1:9101/status", status: 404, detail: "not found")) {
            try await client.status()
        }
        transport.enqueue(status: 200, json: #"{"runtime": "process"}"#)
        do {
            _ = try await client.status()
            Issue.record("a partial document decoded")
        } catch {
            guard case .undecodableBody(_, let reason) = error else { Issue.record("\(error)"); return }
            #expect(reason.contains("aliases") || reason.contains("keys"))
        }
    }

    @Test func aClosedPortIsUnreachable() async throws {
        let port = try #require(LoopbackPort.allocate())
        let client = AutoserveAgentClient(baseURL: URL(string: "http://127.0.0.1:\(port)")!)
        do {
            _ = try await client.status()
            Issue.record("a closed port answered")
        } catch {
            guard case .agentUnreachable(let url, _) = error else { Issue.record("\(error)"); return }
            #expect(url == "http://127.0.0.1:\(port)/status")
        }
    }

    @Test func baseURLFromTheListenAddress() {
        #expect(AutoserveAgentClient.baseURL(listenHost: "127.0.0.1", port: 9101)?.absoluteString == "http://127.0.0.1:9101")
        #expect(AutoserveAgentClient.baseURL(listenHost: "0.0.0.0", port: 9101)?.absoluteString == "http://127.0.0.1:9101")
        #expect(AutoserveAgentClient.baseURL(listenHost: "::", port: 80)?.absoluteString == "http://[::1]:80")
        #expect(AutoserveAgentClient.baseURL(listenHost: "::1", port: 80)?.absoluteString == "http://[::1]:80")
    }
}
