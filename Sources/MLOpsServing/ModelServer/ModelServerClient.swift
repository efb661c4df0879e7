import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Talks to one model server with the scoring protocol of `mlflow models serve`: `GET /ping` and
/// `POST /invocations`.
///
/// ```swift
/// let server = ModelServerClient(endpoint: URL(string: "http://127.0.0.1:5001")!)
/// let input = try ModelServerInput.json(Data(#"{"inputs": [[5.1, 3.5, 1.4, 0.2]]}"#.utf8))
/// let answer = try await server.invoke(input)   // {"predictions": [0]}
/// ```
public struct ModelServerClient: Sendable {
    /// Where the server answers, such as `http://127.0.0.1:5001`.
    public let endpoint: URL
    public let transport: any HTTPTransport
    /// How long one invocation may take; `nil` leaves it to the transport.
    public var timeout: Duration?
    /// The largest answer accepted.
    public var responseLimit: Int

    public init(endpoint: URL, transport: any HTTPTransport = CurlTransport(), timeout: Duration? = nil, responseLimit: Int = 256 << 20) {
        self.endpoint = endpoint
        self.transport = transport
        self.timeout = timeout
        self.responseLimit = responseLimit
    }

    /// `GET /ping`: returns when the server answers 200.
    ///
    /// - Throws: ``ModelServerError``.
    public func ping(timeout: Duration = .seconds(5)) async throws(ModelServerError) {
        let request = TransportRequest(
            method: .get, url: endpoint.appendingPathComponent("ping"), responseDestination: .memory(limit: 64 << 10),
            timeout: timeout, operationName: "serving/ping")
        _ = try await send(request)
    }

    /// `POST /invocations` with `input`; returns the server's answer.
    ///
    /// The request is not retried: a model need not be idempotent. A caller that gets
    /// ``ModelServerError/unreachable(url:reason:requestWasNotSent:)`` with `requestWasNotSent` may send
    /// it again safely.
    ///
    /// - Throws: ``ModelServerError``.
    public func invoke(_ input: ModelServerInput) async throws(ModelServerError) -> ModelServerResponse {
        let request = TransportRequest(
            method: .post, url: endpoint.appendingPathComponent("invocations"),
            headers: ["Content-Type": input.format.contentType, "Accept": "application/json"], body: .bytes(input.body),
            responseDestination: .memory(limit: responseLimit), timeout: timeout, isIdempotent: false,
            operationName: "serving/invocations")
        let response = try await send(request)
        return ModelServerResponse(body: response.body, contentType: response.headers["Content-Type"])
    }

    private func send(_ request: TransportRequest) async throws(ModelServerError) -> TransportResponse {
        let shown = Redaction.redact(endpoint)
        let response: TransportResponse
        do {
            response = try await transport.send(request)
        } catch let error as HTTPTransportError {
            throw .unreachable(
                url: shown, reason: "\(error.code)" + (error.detail.isEmpty ? "" : " (\(error.detail))"),
                requestWasNotSent: error.requestWasNotSent)
        } catch {
            throw .unreachable(url: shown, reason: "\(error)", requestWasNotSent: false)
        }
        guard response.isSuccess else {
            let error = ModelServerErrorBody.parse(response.body)
            throw .rejected(url: shown, status: response.status, errorCode: error.code, message: error.message)
        }
        return response
    }
}

/// A model server's answer.
public struct ModelServerResponse: Sendable, Hashable {
    /// The body as the server sent it, such as `{"predictions": [0, 2]}`.
    public var body: Data
    /// Its `Content-Type`, when the server named one.
    public var contentType: String?

    public init(body: Data, contentType: String? = nil) {
        self.body = body
        self.contentType = contentType
    }
}

/// The JSON error `mlflow models serve` answers with: `{"error_code": …, "message": …, "stack_trace": …}`.
struct ModelServerErrorBody: Decodable {
    var errorCode: String?
    var message: String?

    enum CodingKeys: String, CodingKey {
        case errorCode = "error_code"
        case message
    }

    /// The code and the first line of the message; the body's first line when it is not such an error.
    static func parse(_ body: Data) -> (code: String?, message: String) {
        func firstLine(_ text: String) -> String {
            String(text.prefix { $0 != "\n" && $0 != "\r" }.prefix(500))
        }
        if let error = try? JSONDecoder().decode(ModelServerErrorBody.self, from: body),
            error.errorCode != nil || error.message != nil
        {
            return (error.errorCode, firstLine(error.message ?? ""))
        }
        return (nil, firstLine(String(decoding: body, as: UTF8.self)))
    }
}
