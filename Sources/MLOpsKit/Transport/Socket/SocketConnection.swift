#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import Synchronization

/// One blocking stream socket (TCP or unix-domain) used by one request on its own thread, with
/// deadlines on every wait. Another thread may ``abort()`` it at any time: a blocked wait then ends
/// at once and the request fails with ``Failure/aborted``.
final class SocketConnection: Sendable {
    /// Why a socket operation failed, before it is mapped to an ``HTTPTransportError``.
    enum Failure: Error, Equatable {
        case couldNotResolve(String)
        case couldNotConnect(String)
        case timedOut(String)
        case idle
        case connectionLost(String)
        case aborted
    }

    private struct State {
        var descriptor: Int32 = -1
        var isAborted = false
    }

    private let state = Mutex(State())

    init() {}

    deinit {
        let descriptor = state.withLock { $0.descriptor }
        if descriptor >= 0 { close(descriptor) }
    }

    /// Ends whatever the socket is doing, from any thread: a connection still being made is given up,
    /// a blocked read or write returns.
    func abort() {
        state.withLock { state in
            state.isAborted = true
            if state.descriptor >= 0 { shutdown(state.descriptor, Int32(SHUT_RDWR)) }
        }
    }

    var isAborted: Bool { state.withLock { $0.isAborted } }

    /// Connects to a unix-domain socket at `path`.
    func connect(unixSocket path: String, deadline: ContinuousClock.Instant) throws(Failure) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { throw .couldNotConnect("the socket path is longer than \(capacity - 1) bytes") }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: bytes)
            buffer[bytes.count] = 0
        }
        try withUnsafeBytes(of: &address) { raw throws(Failure) in
            try connect(
                family: AF_UNIX, address: raw.baseAddress!.assumingMemoryBound(to: sockaddr.self),
                length: socklen_t(MemoryLayout<sockaddr_un>.size), deadline: deadline)
        }
    }

    /// Resolves `host` and connects to the first of its addresses that accepts, within `deadline`.
    func connect(host: String, port: Int, deadline: ContinuousClock.Instant) throws(Failure) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin)
            hints.ai_socktype = SOCK_STREAM
        #else
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let name = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let resolved = getaddrinfo(name, String(port), &hints, &list)
        guard resolved == 0, let first = list else {
            throw .couldNotResolve(String(cString: gai_strerror(resolved)))
        }
        defer { freeaddrinfo(list) }
        var lastFailure = Failure.couldNotConnect("no address")
        var current: UnsafeMutablePointer<addrinfo>? = first
        while let entry = current {
            do {
                try connect(family: entry.pointee.ai_family, address: entry.pointee.ai_addr, length: entry.pointee.ai_addrlen, deadline: deadline)
                return
            } catch {
                if case .couldNotConnect = error { lastFailure = error } else { throw error }
            }
            current = entry.pointee.ai_next
        }
        throw lastFailure
    }

    private func connect(
        family: Int32, address: UnsafePointer<sockaddr>, length: socklen_t, deadline: ContinuousClock.Instant
    ) throws(Failure) {
        #if canImport(Darwin)
            let descriptor = socket(family, SOCK_STREAM, 0)
        #else
            let descriptor = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #endif
        guard descriptor >= 0 else { throw .couldNotConnect(posixErrorText()) }
        let adopted = state.withLock { state -> Bool in
            guard !state.isAborted else { return false }
            if state.descriptor >= 0 { close(state.descriptor) }
            state.descriptor = descriptor
            return true
        }
        guard adopted else {
            close(descriptor)
            throw .aborted
        }
        #if canImport(Darwin)
            var on: Int32 = 1
            setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
        #endif
        if family != AF_UNIX {
            var on: Int32 = 1
            setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        }
        let flags = fcntl(descriptor, F_GETFL, 0)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        if posixConnect(descriptor, address, length) == 0 { return }
        guard errno == EINPROGRESS || errno == EAGAIN else { throw .couldNotConnect(posixErrorText()) }
        try wait(for: Int16(POLLOUT), until: deadline, idle: nil, phase: "connecting")
        var error: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &size)
        if isAborted { throw .aborted }
        guard error == 0 else { throw .couldNotConnect(posixErrorText(error)) }
    }

    /// Writes every byte, waiting while the socket is full.
    func write(_ bytes: UnsafeRawBufferPointer, deadline: ContinuousClock.Instant?, idle: Duration?) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let descriptor = try currentDescriptor()
            let written = posixSend(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written > 0 {
                offset += written
            } else if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                try wait(for: Int16(POLLOUT), until: deadline, idle: idle, phase: "sending")
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                if isAborted { throw .aborted }
                throw .connectionLost(written < 0 ? posixErrorText() : "the connection closed")
            }
        }
    }

    /// Reads what has arrived into `buffer`, waiting for at least one byte; 0 at the end of the stream.
    func read(into buffer: inout [UInt8], deadline: ContinuousClock.Instant?, idle: Duration?) throws(Failure) -> Int {
        while true {
            let descriptor = try currentDescriptor()
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count >= 0 {
                if isAborted { throw .aborted }
                return count
            }
            switch errno {
            case EAGAIN, EWOULDBLOCK: try wait(for: Int16(POLLIN), until: deadline, idle: idle, phase: "waiting for the response")
            case EINTR: continue
            default:
                if isAborted { throw .aborted }
                throw .connectionLost(posixErrorText())
            }
        }
    }

    private func currentDescriptor() throws(Failure) -> Int32 {
        let (descriptor, aborted) = state.withLock { ($0.descriptor, $0.isAborted) }
        if aborted { throw .aborted }
        return descriptor
    }

    /// Waits until the socket is ready for `events`, the deadline passes (``Failure/timedOut(_:)``),
    /// nothing happens for `idle` (``Failure/idle``), or the connection is aborted.
    private func wait(for events: Int16, until deadline: ContinuousClock.Instant?, idle: Duration?, phase: String) throws(Failure) {
        let descriptor = try currentDescriptor()
        let idleDeadline = idle.map { ContinuousClock.now + $0 }
        while true {
            let now = ContinuousClock.now
            var limit: Duration?
            if let deadline { limit = deadline - now }
            if let idleDeadline { limit = min(limit ?? idleDeadline - now, idleDeadline - now) }
            if let limit, limit <= .zero {
                if let deadline, deadline <= now { throw .timedOut(phase) }
                throw .idle
            }
            var descriptors = [pollfd(fd: descriptor, events: events, revents: 0)]
            let ready = poll(&descriptors, 1, limit.map { Int32(clamping: $0.milliseconds) } ?? -1)
            if isAborted { throw .aborted }
            if ready > 0 { return }
            if ready < 0 && errno != EINTR { throw .connectionLost(posixErrorText()) }
        }
    }
}

/// `connect(2)`, out of reach of ``SocketConnection``'s methods of the same name.
private func posixConnect(_ descriptor: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    connect(descriptor, address, length)
}

/// `send(2)` without `SIGPIPE` when the peer has gone.
private func posixSend(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Darwin)
        send(descriptor, bytes, count, 0)
    #else
        send(descriptor, bytes, count, Int32(MSG_NOSIGNAL))
    #endif
}
