internal import CCurl

/// Initialises libcurl once per process, before the first handle is made.
///
/// `curl_global_init` is not thread-safe; a `static let` is initialised exactly once, atomically.
enum CurlGlobal {
    private static let initialisation: CURLcode = curl_global_init(Int(CURL_GLOBAL_ALL))

    /// Runs libcurl's global initialisation if it has not run yet, and reports whether it worked.
    static func ensureInitialised() -> Bool {
        initialisation == CURLE_OK
    }

    /// The libcurl version string, such as `"7.88.1"`.
    static var version: String {
        guard let text = mlopskit_curl_version() else { return "unknown" }
        return String(cString: text)
    }
}
