internal import CCurl
internal import CCurlLoader

/// libcurl, loaded and initialised once per process when the first ``CurlTransport`` is made (it is
/// not linked: a program that never makes one never loads it).
enum CurlGlobal {
    /// Loads libcurl and runs its global initialisation if that has not happened yet; `nil` when it
    /// works, otherwise why it failed (libcurl missing or too old).
    static func load() -> String? {
        mlopskit_curl_load().map { String(cString: $0) }
    }

    /// The libcurl version string, such as `"7.88.1"`; "unavailable" when it cannot be loaded.
    static var version: String {
        guard let text = mlopskit_curl_version() else { return "unavailable" }
        return String(cString: text)
    }
}
