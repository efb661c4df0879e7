#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process's open-file limit, which bounds how many connections the HTTP server can hold.
enum FileLimit {
    /// Raises the soft limit to the hard one, as a daemon that holds many connections should (systemd
    /// and many shells start processes at a soft limit of 1,024). Returns the soft limit in force, or
    /// `nil` when it cannot be read.
    @discardableResult
    static func raiseSoftLimitToHard() -> UInt64? {
        var limit = rlimit()
        #if canImport(Darwin)
            let resource = RLIMIT_NOFILE
        #else
            let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #endif
        guard getrlimit(resource, &limit) == 0 else { return nil }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return UInt64(limit.rlim_cur)
    }
}
