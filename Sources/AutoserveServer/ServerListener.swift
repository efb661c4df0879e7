import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Binding a server's listening socket, shared by the agent's HTTP server and its gateway.
enum ServerListener {
    /// Binds `bootstrap` to `host`:`port` (a numeric address or `localhost`); returns the listening
    /// channel and the bound address as `127.0.0.1:8080` or `[::1]:8080`.
    static func bind(_ bootstrap: ServerBootstrap, host: String, port: Int) async throws(HTTPServerError) -> (any Channel, String) {
        let socketAddress = try socketAddress(host: host, port: port)
        let shown = display(socketAddress, fallbackHost: host, port: port)
        let listener: any Channel
        do {
            listener = try await bootstrap.bind(to: socketAddress).get()
        } catch {
            throw .socket(call: "bind", address: shown, reason: reason(error))
        }
        return (listener, listener.localAddress.map { display($0, fallbackHost: host, port: 0) } ?? shown)
    }

    /// A numeric address to bind; host names are refused, since resolving one may block and bind
    /// somewhere unexpected.
    static func socketAddress(host: String, port: Int) throws(HTTPServerError) -> SocketAddress {
        guard (0...65535).contains(port) else { throw .invalidPort(port) }
        var name = host == "localhost" ? "127.0.0.1" : host
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        do {
            return try SocketAddress(ipAddress: name, port: port)
        } catch {
            throw .invalidHost(host)
        }
    }

    static func display(_ address: SocketAddress, fallbackHost: String, port: Int) -> String {
        let host = address.ipAddress ?? fallbackHost
        let shown = host.contains(":") ? "[\(host)]" : host
        return "\(shown):\(address.port ?? port)"
    }

    static func reason(_ error: any Error) -> String {
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
        return String(describing: error)
    }

    /// Connections the soft open-file limit leaves room for, keeping 128 descriptors for everything else
    /// the process opens (the agent raises its soft limit to the hard one at start-up).
    static func connectionsTheFileLimitAllows() -> Int {
        var limit = rlimit()
        #if canImport(Darwin)
            let resource = RLIMIT_NOFILE
        #else
            let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #endif
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur != rlim_t.max else { return .max }
        return max(16, Int(clamping: limit.rlim_cur) - 128)
    }
}
