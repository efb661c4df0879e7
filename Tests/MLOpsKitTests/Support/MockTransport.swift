import Foundation
import Synchronization

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// An ``HTTPTransport`` test double: it records every request and answers with canned responses,
/// either from a queue (in order) or from a handler that sees the request.
final class MockTransport: HTTPTransport {
    typealias Handler = @Sendable (TransportRequest) throws -> TransportResponse

    private struct State {
        var requests: [TransportRequest] = []
        var queued: [TransportResponse] = []
        var handler: Handler?
    }

    private let state = Mutex(State())

    /// Raised when a request arrives and no response was prepared for it.
    struct NoResponsePrepared: Error, CustomStringConvertible {
        var request: String
        var description: String { "no canned response for \(request)" }
    }

    init(handler: Handler? = nil) {
        state.withLock { $0.handler = handler }
    }

    /// Every request sent so far, in order.
    var requests: [TransportRequest] { state.withLock { $0.requests } }

    /// The most recent request, if any.
    var lastRequest: TransportRequest? { requests.last }

    /// Queues `response` to answer the next request that the queue reaches.
    func enqueue(_ response: TransportResponse) {
        state.withLock { $0.queued.append(response) }
    }

    /// Queues a JSON response.
    func enqueue(status: Int = 200, json: String, headers: TransportHeaders = ["Content-Type": "application/json"]) {
        enqueue(TransportResponse(status: status, headers: headers, body: Data(json.utf8)))
    }

    /// Queues a non-JSON response, such as an HTML error page.
    func enqueue(status: Int, text: String, contentType: String) {
        enqueue(TransportResponse(status: status, headers: ["Content-Type": contentType], body: Data(text.utf8)))
    }

    /// Answers every request that the queue does not cover with `handler`.
    func setHandler(_ handler: @escaping Handler) {
        state.withLock { $0.handler = handler }
    }

    func send(_ request: TransportRequest) async throws -> TransportResponse {
        let (queued, handler): (TransportResponse?, Handler?) = state.withLock { state in
            state.requests.append(request)
            if !state.queued.isEmpty { return (state.queued.removeFirst(), nil) }
            return (nil, state.handler)
        }
        if let queued { return queued }
        if let handler { return try handler(request) }
        throw NoResponsePrepared(request: "\(request.method) \(request.url.absoluteString)")
    }
}

extension TransportRequest {
    /// The body bytes, or empty data when the body is not in memory.
    var bodyData: Data {
        if case .bytes(let data) = body { return data }
        return Data()
    }

    /// The body parsed as a JSON object, or `nil` when it is not one.
    var jsonBody: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: bodyData)) as? [String: Any]
    }

    /// The decoded query items, in order.
    var queryItems: [URLQueryItem] {
        URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? []
    }

    /// The first decoded value of the query parameter `name`.
    func queryValue(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }
}
