#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A detached POSIX thread for blocking socket work (the agent's HTTP server, ``SocketHTTPTransport``),
/// which must stay off Swift's cooperative pool.
enum DetachedThread {
    /// Runs `body` on a new detached thread with a small stack; false when no thread could be created.
    @discardableResult
    static func start(stackSize: Int = 256 * 1024, _ body: @escaping @Sendable () -> Void) -> Bool {
        let box = Unmanaged.passRetained(Body(body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        pthread_attr_setstacksize(&attributes, stackSize)
        #if canImport(Darwin)
            var thread: pthread_t?
        #else
            var thread = pthread_t()
        #endif
        let result = pthread_create(&thread, &attributes, { argument in
            #if canImport(Darwin)
                let body = Unmanaged<Body>.fromOpaque(argument).takeRetainedValue()
            #else
                let body = Unmanaged<Body>.fromOpaque(argument!).takeRetainedValue()
            #endif
            body.run()
            return nil
        }, box)
        if result != 0 {
            Unmanaged<Body>.fromOpaque(box).release()
            return false
        }
        return true
    }

    private final class Body: Sendable {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
}
