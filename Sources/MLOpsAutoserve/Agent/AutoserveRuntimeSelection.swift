import MLOpsCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Which runtime `--runtime auto` means on this host.
public enum AutoserveRuntimeSelection {
    /// The Docker daemon's default socket.
    public static let defaultDockerSocket = "/var/run/docker.sock"

    /// `choice` itself, or for ``AutoserveAgentSettings/RuntimeChoice/auto``: Docker when `DOCKER_HOST` is
    /// set or `dockerSocket` accepts a connection, else the process runtime.
    public static func resolve(
        _ choice: AutoserveAgentSettings.RuntimeChoice, environment: [String: String],
        dockerSocket: String = defaultDockerSocket
    ) -> AutoserveAgentSettings.RuntimeChoice {
        guard choice == .auto else { return choice }
        if let host = environment["DOCKER_HOST"], !host.isEmpty { return .docker }
        return unixSocketAnswers(dockerSocket) ? .docker : .process
    }

    /// Whether a Unix socket at `path` accepts a connection (which a stale socket file does not).
    public static func unixSocketAnswers(_ path: String) -> Bool {
        #if canImport(Glibc) || canImport(Musl)
            let socketType = Int32(SOCK_STREAM.rawValue)
        #else
            let socketType = SOCK_STREAM
        #endif
        let descriptor = socket(AF_UNIX, socketType, 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
            buffer[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0
    }
}
