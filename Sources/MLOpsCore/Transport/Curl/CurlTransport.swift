#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// The ``HTTPTransport`` MLOpsKit uses by default, built on libcurl.
///
/// - All transfers run on one dedicated thread through libcurl's multi interface: any number of
///   concurrent requests, connections shared between them, and no blocking call on Swift's
///   cooperative thread pool.
/// - Request bodies can stream from files and responses to files (``TransportRequest/Body/file(_:)``,
///   ``TransportRequest/ResponseDestination/file(_:)``); downloads land atomically or not at all.
/// - Endless responses (event streams, followed logs) through ``stream(_:)``.
/// - Unix-domain sockets (``TransportRequest/unixSocketPath`` or `http+unix://` URLs) and TCP.
/// - Connect, total and low-speed timeouts; cancelling the calling task aborts the transfer at once.
/// - TLS verification on unless turned off explicitly; proxies from the standard environment variables.
/// - The ``ConnectionReusePolicy/automatic`` policy avoids the delayed-acknowledgement stall of
///   servers such as MLflow's default multi-worker server.
///
/// The transport does not retry; wrap it in a ``RetryingTransport`` for that.
public final class CurlTransport: StreamingHTTPTransport {
    public let configuration: Configuration
    private let engine: CurlMultiEngine?
    private let unavailable: String?

    /// Creates a transport and its worker thread, loading libcurl first if this is the process's first
    /// libcurl transport. The thread ends when the transport is released and its last request has
    /// finished. When libcurl cannot be loaded, every request fails with an ``HTTPTransportError``
    /// that says why.
    public init(configuration: Configuration = Configuration(), logger: Logger = Logger.disabled) {
        self.configuration = configuration
        self.engine = CurlMultiEngine(configuration: configuration, logger: logger)
        self.unavailable = engine == nil ? (CurlGlobal.load() ?? "libcurl could not start a transfer engine") : nil
    }

    deinit {
        engine?.shutdown()
    }

    public func send(_ request: TransportRequest) async throws -> TransportResponse {
        try await loadedEngine(for: request).perform(request)
    }

    public func stream(_ request: TransportRequest) async throws -> TransportStreamingResponse {
        try await loadedEngine(for: request).stream(request, owner: self)
    }

    private func loadedEngine(for request: TransportRequest) throws(HTTPTransportError) -> CurlMultiEngine {
        guard let engine else {
            throw HTTPTransportError(
                code: .other, method: request.method, redactedURL: Redaction.redact(request.url), detail: unavailable ?? "")
        }
        return engine
    }

    /// The version of the libcurl in use.
    public static var libcurlVersion: String { CurlGlobal.version }
}
