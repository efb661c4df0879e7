import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads a running `autoserve-agent`'s `GET /status` document: which (model, alias) it serves, with
/// which version, where, and whether all is well.
///
/// ```swift
/// let agent = AutoserveAgentClient(baseURL: URL(string: "http://127.0.0.1:9101")!)
/// let document = try await agent.status()
/// for key in document.keys where key.state == .ready { print(key.model, key.alias, key.endpoint ?? "-") }
/// ```
public struct AutoserveAgentClient: Sendable {
    /// The agent's base URL, such as `http://127.0.0.1:9101`.
    public let baseURL: URL
    public let transport: any HTTPTransport
    /// How long one request may take. Short by default: an agent runs on the same host.
    public var timeout: Duration

    public init(baseURL: URL, transport: any HTTPTransport = CurlTransport(), timeout: Duration = .seconds(5)) {
        self.baseURL = baseURL
        self.transport = transport
        self.timeout = timeout
    }

    /// The agent's base URL for its listen address (`MLFLOW_SERVE_LISTEN`, `HOST:PORT`): a wildcard
    /// host (`0.0.0.0`, `::`) is reached on the loopback address, and an IPv6 host is bracketed.
    public static func baseURL(listenHost host: String, port: Int) -> URL? {
        let reachable: String =
            switch host {
            case "", "0.0.0.0", "*": "127.0.0.1"
            case "::", "[::]": "[::1]"
            default: host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
            }
        return URL(string: "http://\(reachable):\(port)")
    }

    /// `GET /status`.
    ///
    /// - Throws: ``AutoserveAgentClientError``.
    public func status() async throws(AutoserveAgentClientError) -> AutoserveStatusDocument {
        let url = baseURL.appendingPathComponent("status")
        let shown = Redaction.redact(url)
        let request = TransportRequest(
            method: .get, url: url, headers: ["Accept": "application/json"],
            responseDestination: .memory(limit: 32 << 20), timeout: timeout, operationName: "autoserve/status")
        let response: TransportResponse
        do {
            response = try await transport.send(request)
        } catch let error as HTTPTransportError {
            throw .agentUnreachable(url: shown, reason: "\(error.code)" + (error.detail.isEmpty ? "" : " (\(error.detail))"))
        } catch {
            throw .agentUnreachable(url: shown, reason: "\(error)")
        }
        guard response.status == 200 else {
            let line = response.bodyText.prefix { $0 != "\n" && $0 != "\r" }.prefix(300)
            throw .badStatus(url: shown, status: response.status, detail: String(line))
        }
        do {
            return try AutoserveStatusDocument.makeDecoder().decode(AutoserveStatusDocument.self, from: response.body)
        } catch {
            throw .undecodableBody(url: shown, reason: Self.describe(error))
        }
    }

    /// A decoding error in one line, naming the path of the value that did not decode.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return path.isEmpty ? "" : " at \(path)"
        }
        switch error {
        case .dataCorrupted(let context): return "not JSON\(path(context)): \(context.debugDescription)"
        case .keyNotFound(let key, let context): return "'\(key.stringValue)' is missing\(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "unexpected value\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
