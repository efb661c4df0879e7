import MLOpsCore
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Ports on 127.0.0.1.
enum LoopbackPort {
    /// A port the kernel reports free: bind port 0 on 127.0.0.1, read the port, close.
    static func allocate() -> Int? {
        withSocket { descriptor in
            guard bindLoopback(descriptor, port: 0) else { return nil }
            var address = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let result = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
            }
            guard result == 0 else { return nil }
            return Int(UInt16(bigEndian: address.sin_port))
        }
    }

    /// Whether a server could listen on `port` of 127.0.0.1 now (with `SO_REUSEADDR`, as servers bind).
    static func isFree(_ port: Int) -> Bool {
        guard (1...65535).contains(port) else { return false }
        return withSocket { bindLoopback($0, port: port) ? true : nil } ?? false
    }

    private static func withSocket<T>(_ body: (Int32) -> T?) -> T? {
        #if os(Linux)
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
            let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        return body(descriptor)
    }

    private static func bindLoopback(_ descriptor: Int32, port: Int) -> Bool {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return result == 0
    }
}
