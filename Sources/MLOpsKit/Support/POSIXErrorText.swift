#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The C library's text for an `errno` value (`strerror`), for the socket code's errors.
func posixErrorText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }
