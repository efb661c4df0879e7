import Foundation
import MLOpsKit
import Synchronization

/// An ``HTTPTransport`` that answers for the model servers of an ``InMemoryServingRuntime``, for a
/// ``ServingReadinessChecker`` in deterministic tests.
///
/// `GET <endpoint>/ping` and `POST <endpoint>/invocations` get what the runtime's scripted state of
/// the instance at that endpoint says (``InMemoryServingRuntime/answer(endpoint:path:)``): 200 from a
/// running instance whose version becomes ready, 503 from one that never does, and a
/// "could not connect" ``HTTPTransportError`` (connection refused) when nothing runs there. Any other
/// path gets 404. Every request is counted, with its path.
public final class InMemoryServingTransport: HTTPTransport {
    private let runtime: InMemoryServingRuntime
    private let sent = Mutex<[String]>([])

    public init(runtime: InMemoryServingRuntime) {
        self.runtime = runtime
    }

    /// The requests sent so far, as `METHOD path`.
    public var requests: [String] { sent.withLock { $0 } }

    public func send(_ request: TransportRequest) async throws -> TransportResponse {
        let path = request.url.lastPathComponent
        sent.withLock { $0.append("\(request.method) /\(path)") }
        var endpoint = URLComponents(url: request.url, resolvingAgainstBaseURL: false)
        endpoint?.path = ""
        guard let base = endpoint?.url else {
            throw HTTPTransportError(code: .invalidRequest, method: request.method, redactedURL: "\(request.url)", detail: "bad URL")
        }
        guard let status = await runtime.answer(endpoint: base, path: path) else {
            throw HTTPTransportError(
                code: .couldNotConnect, method: request.method, redactedURL: request.url.absoluteString,
                detail: "Connection refused")
        }
        switch (request.method, path) {
        case (.get, "ping"), (.post, "invocations"):
            return TransportResponse(status: status, body: Data(status == 200 ? "{}".utf8 : "not ready".utf8))
        default:
            return TransportResponse(status: 404)
        }
    }
}
