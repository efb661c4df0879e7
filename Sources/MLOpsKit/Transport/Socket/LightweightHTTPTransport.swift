#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import Logging
import Synchronization

/// Which requests a ``LightweightHTTPTransport`` can send over plain sockets: `http://` and
/// unix-domain sockets, unless a proxy from the environment applies (`http_proxy`, `HTTP_PROXY`,
/// `all_proxy`, `ALL_PROXY`; loopback and `NO_PROXY` hosts are never proxied).
public struct HTTPTransportRouting: Sendable {
    private let hasProxy: Bool
    private let noProxy: [String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        hasProxy = ["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"].contains { !(environment[$0] ?? "").isEmpty }
        noProxy = (environment["NO_PROXY"] ?? environment["no_proxy"] ?? "")
            .split(separator: ",").map { String($0.filter { $0 != " " && $0 != "\t" }).lowercased() }.filter { !$0.isEmpty }
    }

    /// Whether `request` goes over plain sockets (true) or through libcurl.
    public func usesSockets(for request: TransportRequest) -> Bool {
        guard SocketHTTPTransport.canSend(request) else { return false }
        if request.unixSocketPath != nil || request.url.scheme?.lowercased() != "http" || !hasProxy { return true }
        let host = (request.url.host(percentEncoded: false) ?? "").lowercased()
        if host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]" { return true }
        return noProxy.contains { entry in
            if entry == "*" { return true }
            let suffix = entry.hasPrefix(".") ? String(entry.dropFirst()) : entry
            return host == suffix || host.hasSuffix("." + suffix)
        }
    }
}

/// An ``HTTPTransport`` for long-running processes that must stay small, such as `autoserve-agent`:
/// plain-HTTP and unix-socket requests go through a ``SocketHTTPTransport``; HTTPS and proxied
/// requests through a ``CurlTransport`` made on the first such request. A process that only talks to
/// `http://` servers and the Docker socket therefore never loads libcurl (about 8 MB of resident
/// memory with its TLS, Kerberos and LDAP libraries on Debian).
public final class LightweightHTTPTransport: StreamingHTTPTransport {
    private let sockets: SocketHTTPTransport
    private let routing: HTTPTransportRouting
    private let curlConfiguration: CurlTransport.Configuration
    private let logger: Logger
    private let curl = Mutex<CurlTransport?>(nil)

    public init(
        socketConfiguration: SocketHTTPTransport.Configuration = .init(),
        curlConfiguration: CurlTransport.Configuration = .init(),
        routing: HTTPTransportRouting = HTTPTransportRouting(),
        logger: Logger = .disabled
    ) {
        self.sockets = SocketHTTPTransport(configuration: socketConfiguration)
        self.curlConfiguration = curlConfiguration
        self.routing = routing
        self.logger = logger
    }

    public func send(_ request: TransportRequest) async throws -> TransportResponse {
        routing.usesSockets(for: request) ? try await sockets.send(request) : try await curlTransport().send(request)
    }

    public func stream(_ request: TransportRequest) async throws -> TransportStreamingResponse {
        routing.usesSockets(for: request) ? try await sockets.stream(request) : try await curlTransport().stream(request)
    }

    private func curlTransport() -> CurlTransport {
        curl.withLock { transport in
            if let transport { return transport }
            let made = CurlTransport(configuration: curlConfiguration, logger: logger)
            transport = made
            return made
        }
    }
}
