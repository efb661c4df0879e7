import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where a Docker Engine listens, written as `DOCKER_HOST` writes it: `unix:///var/run/docker.sock` or
/// `tcp://127.0.0.1:2375` (plain HTTP; TLS endpoints are not supported).
public struct DockerHost: Sendable, Hashable, CustomStringConvertible {
    /// How to reach the Engine.
    public enum Endpoint: Sendable, Hashable {
        /// A unix-domain socket at `path`.
        case unixSocket(path: String)
        /// Plain HTTP over TCP.
        case tcp(host: String, port: Int)
    }

    public var endpoint: Endpoint

    public init(endpoint: Endpoint) {
        self.endpoint = endpoint
    }

    /// The Engine's default socket, `unix:///var/run/docker.sock`.
    public static let `default` = DockerHost(endpoint: .unixSocket(path: "/var/run/docker.sock"))

    /// Parses `unix:///path`, `tcp://host:port` or `http://host:port` (port 2375 when left out).
    public init(parsing text: String) throws(DockerError) {
        let trimmed = text.trimmingWhitespaceAndNewlines()
        if trimmed.hasPrefix("unix://") {
            let path = String(trimmed.dropFirst("unix://".count))
            guard path.hasPrefix("/") else { throw .invalidHost("\(text): a unix socket path must be absolute") }
            self.endpoint = .unixSocket(path: path)
            return
        }
        for scheme in ["tcp://", "http://"] where trimmed.hasPrefix(scheme) {
            var rest = Substring(trimmed.dropFirst(scheme.count))
            if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
            var host = String(rest)
            var port = 2375
            if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
                host = String(rest[rest.index(after: rest.startIndex)..<close])
                let tail = rest[rest.index(after: close)...]
                if tail.hasPrefix(":") {
                    guard let value = Int(tail.dropFirst()) else { throw .invalidHost("\(text): bad port") }
                    port = value
                }
            } else if let colon = rest.lastIndex(of: ":") {
                host = String(rest[..<colon])
                guard let value = Int(rest[rest.index(after: colon)...]) else { throw .invalidHost("\(text): bad port") }
                port = value
            }
            guard !host.isEmpty, (1...65535).contains(port) else { throw .invalidHost("\(text): no host or bad port") }
            guard host.utf8.allSatisfy(Self.isHostByte) else {
                throw .invalidHost("\(text): a host is letters, digits, '.', '-', '_', or an IPv6 address in [ ]")
            }
            self.endpoint = .tcp(host: host, port: port)
            return
        }
        throw .invalidHost("\(text): expected unix:///path or tcp://host:port")
    }

    /// `DOCKER_HOST` from `environment`, or ``default`` when it is unset or empty.
    public static func fromEnvironment(_ environment: [String: String]) throws(DockerError) -> DockerHost {
        guard let value = environment["DOCKER_HOST"], !value.isEmpty else { return .default }
        return try DockerHost(parsing: value)
    }

    /// What a host name or IP address may hold: ASCII letters, digits, `.`, `-`, `_`, and `:` and
    /// `%` (a zone) for IPv6.
    static func isHostByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "%"):
            true
        default: false
        }
    }

    /// The URL requests are built on: `http://localhost` for a socket, `http://host:port` for TCP;
    /// `nil` for a host that no URL can hold (only possible for an ``Endpoint`` built by hand, since
    /// ``init(parsing:)`` refuses such hosts).
    var baseURL: URL? {
        switch endpoint {
        case .unixSocket: URL(string: "http://localhost")
        case .tcp(let host, let port):
            URL(string: "http://\(host.contains(":") ? "[\(host)]" : host):\(port)")
        }
    }

    /// The socket to connect to, for a unix-socket host.
    var unixSocketPath: String? {
        if case .unixSocket(let path) = endpoint { return path }
        return nil
    }

    public var description: String {
        switch endpoint {
        case .unixSocket(let path): "unix://\(path)"
        case .tcp(let host, let port): "tcp://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        }
    }
}
