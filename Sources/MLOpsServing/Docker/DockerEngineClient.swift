import MLOpsCore
import MLOpsMLflow
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// A client of the Docker Engine API, over a unix socket or plain TCP (``DockerHost``).
///
/// - The API version is negotiated once, from `GET /version`: the newest version both sides speak
///   (``DockerAPIVersion/negotiate(serverMaximum:serverMinimum:clientMinimum:clientMaximum:)``), so
///   the same client talks to Engine 20.10 (API 1.41) and to Engine 29 (which refuses anything below
///   1.44).
/// - Containers (list by label, create, start, stop, kill, remove, rename, inspect, logs), images
///   (inspect, build from a tar context, import) and the event stream.
/// - Errors are ``DockerError``s; an Engine that cannot be reached is
///   ``DockerError/unavailable(host:reason:)`` naming the socket or address.
/// - Nothing is retried: a repeated `POST` could start or create twice. The caller decides.
/// - Container environments (which may hold credentials) are never logged or put into errors.
public final class DockerEngineClient: Sendable {
    /// Settings of a ``DockerEngineClient``.
    public struct Configuration: Sendable {
        /// Where the Engine listens.
        public var host: DockerHost
        /// The newest API version to use; negotiation may pick an older one.
        public var maximumAPIVersion: DockerAPIVersion = .clientMaximum
        /// A fixed API version that skips negotiation, for an Engine whose `/version` cannot be read.
        public var pinnedAPIVersion: DockerAPIVersion?
        /// Limit for one request (longer operations such as stop add their own waiting time).
        public var requestTimeout: Duration = .seconds(60)

        public init(host: DockerHost = .default) {
            self.host = host
        }

        /// The host from `DOCKER_HOST` in `environment` (``DockerHost/default`` when unset).
        public static func fromEnvironment(_ environment: [String: String]) throws(DockerError) -> Configuration {
            Configuration(host: try DockerHost.fromEnvironment(environment))
        }
    }

    public let configuration: Configuration
    let transport: any StreamingHTTPTransport
    private let negotiated = Mutex<DockerAPIVersion?>(nil)

    /// - Parameter transport: Defaults to a ``CurlTransport``. Pass one without retries: Engine
    ///   requests are not all safe to repeat.
    public init(configuration: Configuration = Configuration(), transport: any StreamingHTTPTransport = CurlTransport()) {
        self.configuration = configuration
        self.transport = transport
        if let pinned = configuration.pinnedAPIVersion { negotiated.withLock { $0 = pinned } }
    }

    /// Where this client connects, as `DOCKER_HOST` would say it.
    public var host: DockerHost { configuration.host }

    // MARK: Engine

    /// `GET /_ping`: returns when the Engine answers `OK`.
    public func ping() async throws(DockerError) {
        let response = try await send(.get, "/_ping", versioned: false, operation: "ping")
        try check(response, operation: "ping")
    }

    /// `GET /version`: the Engine's version and the API versions it speaks.
    public func version() async throws(DockerError) -> DockerVersion {
        let response = try await send(.get, "/version", versioned: false, operation: "version")
        try check(response, operation: "version")
        return try decode(DockerVersion.self, from: response.body, operation: "version")
    }

    /// The API version in use, negotiated with the Engine on first use and kept afterwards.
    public func apiVersion() async throws(DockerError) -> DockerAPIVersion {
        if let version = negotiated.withLock({ $0 }) { return version }
        let info = try await version()
        guard let serverMaximum = DockerAPIVersion(info.apiVersion) else {
            throw .invalidResponse(operation: "version", reason: "ApiVersion \(info.apiVersion) is not a version")
        }
        let chosen = try DockerAPIVersion.negotiate(
            serverMaximum: serverMaximum, serverMinimum: info.minimumAPIVersion.flatMap(DockerAPIVersion.init),
            clientMaximum: configuration.maximumAPIVersion)
        negotiated.withLock { $0 = chosen }
        return chosen
    }

    // MARK: Requests

    /// One query parameter.
    typealias Query = [(name: String, value: String)]

    func request(
        _ method: TransportMethod, _ path: String, query: Query = [], versioned: Bool = true, body: TransportRequest.Body = .none,
        contentType: String? = nil, timeout: Duration? = nil, operation: String
    ) async throws(DockerError) -> TransportRequest {
        guard let base = configuration.host.baseURL else {
            throw .invalidHost("\(configuration.host): no URL can name this host")
        }
        var text = base.absoluteString
        if versioned { text += "/v\(try await apiVersion())" }
        text += path
        if !query.isEmpty { text += "?" + PercentEncoding.query(query) }
        guard let url = URL(string: text) else {
            throw .invalidResponse(operation: operation, reason: "cannot build a URL for \(path)")
        }
        var headers = TransportHeaders()
        if let contentType { headers["Content-Type"] = contentType }
        return TransportRequest(
            method: method, url: url, headers: headers, body: body, unixSocketPath: configuration.host.unixSocketPath,
            timeout: timeout ?? configuration.requestTimeout, operationName: "docker \(operation)")
    }

    /// Sends a request and returns the Engine's answer, whatever its status.
    func send(
        _ method: TransportMethod, _ path: String, query: Query = [], versioned: Bool = true, body: TransportRequest.Body = .none,
        contentType: String? = nil, timeout: Duration? = nil, operation: String
    ) async throws(DockerError) -> TransportResponse {
        let request = try await request(
            method, path, query: query, versioned: versioned, body: body, contentType: contentType, timeout: timeout,
            operation: operation)
        do {
            return try await transport.send(request)
        } catch {
            throw mapTransportError(error, operation: operation)
        }
    }

    /// Opens a streamed request; the caller reads the body.
    func openStream(
        _ method: TransportMethod, _ path: String, query: Query = [], body: TransportRequest.Body = .none,
        contentType: String? = nil, operation: String
    ) async throws(DockerError) -> TransportStreamingResponse {
        var request = try await request(
            method, path, query: query, body: body, contentType: contentType, operation: operation)
        request.timeout = nil
        let response: TransportStreamingResponse
        do {
            response = try await transport.stream(request)
        } catch {
            throw mapTransportError(error, operation: operation)
        }
        guard response.isSuccess else {
            let body: [UInt8]
            do { body = try await response.collect(limit: 64 << 10) } catch { body = [] }
            throw engineError(status: response.status, body: body, operation: operation)
        }
        return response
    }

    func mapTransportError(_ error: any Error, operation: String) -> DockerError {
        if let error = error as? DockerError { return error }
        if error is CancellationError { return .transport(operation: operation, reason: "cancelled") }
        guard let error = error as? HTTPTransportError else {
            return .transport(operation: operation, reason: "\(error)")
        }
        if error.code == .couldNotConnect || error.code == .couldNotResolveHost {
            return .unavailable(host: configuration.host.description, reason: error.detail.isEmpty ? "\(error.code)" : error.detail)
        }
        return .transport(operation: operation, reason: "\(error.code)\(error.detail.isEmpty ? "" : ": \(error.detail)")")
    }

    /// Throws the Engine's error unless the status is 2xx or one of `allowing`.
    @discardableResult
    func check(_ response: TransportResponse, operation: String, allowing: Set<Int> = []) throws(DockerError) -> TransportResponse {
        guard response.isSuccess || allowing.contains(response.status) else {
            throw engineError(status: response.status, body: Array(response.body), operation: operation)
        }
        return response
    }

    func engineError(status: Int, body: [UInt8], operation: String) -> DockerError {
        struct Message: Decodable { var message: String }
        let message = (try? JSONDecoder().decode(Message.self, from: Data(body)))?.message
            ?? String(decoding: body.prefix(512), as: UTF8.self).trimmingWhitespaceAndNewlines()
        return .engine(status: status, message: message, operation: operation)
    }

    func decode<T: Decodable>(_ type: T.Type, from body: Data, operation: String) throws(DockerError) -> T {
        do {
            return try JSONDecoder().decode(type, from: body)
        } catch {
            throw .invalidResponse(operation: operation, reason: "\(error)")
        }
    }

    /// A JSON document as the Engine expects it in a query parameter (`filters`).
    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
