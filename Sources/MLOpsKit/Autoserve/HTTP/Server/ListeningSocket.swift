#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Socket calls the HTTP server needs, on numeric IPv4 and IPv6 addresses.
enum ListeningSocket {
    /// A listening TCP socket on `host:port` (port 0: the kernel picks one), and the address it is bound to
    /// (`127.0.0.1:8080`, `[::1]:8080`).
    static func open(host: String, port: Int, backlog: Int32 = 128) throws(HTTPServerError) -> (
        descriptor: Int32, address: String
    ) {
        guard (0...65535).contains(port) else { throw .invalidPort(port) }
        var name = host == "localhost" ? "127.0.0.1" : host
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        let display = name.contains(":") ? "[\(name)]:\(port)" : "\(name):\(port)"
        var storage = sockaddr_storage()
        let length: socklen_t
        let family: Int32
        if name.contains(":") {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = UInt16(port).bigEndian
            guard inet_pton(AF_INET6, name, &address.sin6_addr) == 1 else { throw .invalidHost(host) }
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: address, as: sockaddr_in6.self) }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            family = AF_INET6
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            guard inet_pton(AF_INET, name, &address.sin_addr) == 1 else { throw .invalidHost(host) }
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: address, as: sockaddr_in.self) }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            family = AF_INET
        }
        #if canImport(Darwin)
            let descriptor = socket(family, SOCK_STREAM, 0)
        #else
            let descriptor = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #endif
        guard descriptor >= 0 else { throw .socket(call: "socket", address: display, reason: posixErrorText()) }
        var on: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else {
            let reason = posixErrorText()
            close(descriptor)
            throw .socket(call: "bind", address: display, reason: reason)
        }
        guard listen(descriptor, backlog) == 0 else {
            let reason = posixErrorText()
            close(descriptor)
            throw .socket(call: "listen", address: display, reason: reason)
        }
        return (descriptor, localAddress(descriptor) ?? display)
    }

    /// The address a socket is bound to, as `host:port` or `[host]:port`.
    static func localAddress(_ descriptor: Int32) -> String? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard result == 0 else { return nil }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(storage.ss_family) {
        case AF_INET:
            var address = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in.self) }
            guard inet_ntop(AF_INET, &address.sin_addr, &text, socklen_t(text.count)) != nil else { return nil }
            return "\(Self.text(text)):\(UInt16(bigEndian: address.sin_port))"
        case AF_INET6:
            var address = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in6.self) }
            guard inet_ntop(AF_INET6, &address.sin6_addr, &text, socklen_t(text.count)) != nil else { return nil }
            return "[\(Self.text(text))]:\(UInt16(bigEndian: address.sin6_port))"
        default:
            return nil
        }
    }


    /// A NUL-terminated C string buffer as text.
    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
