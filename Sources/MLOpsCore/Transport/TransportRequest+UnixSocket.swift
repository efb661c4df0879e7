#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension TransportRequest {
    /// `http+unix://<percent-encoded socket path>/path` → (`http://localhost/path`, socket path).
    static func resolveUnixSocketURL(_ url: URL) -> (URL, String?) {
        guard let scheme = url.scheme?.lowercased(), scheme == "http+unix" || scheme == "unix",
            var components = URLComponents(url: url, resolvingAgainstBaseURL: false),
            let encodedHost = components.percentEncodedHost,
            let socketPath = encodedHost.removingPercentEscapes()
        else { return (url, nil) }
        components.scheme = "http"
        components.host = "localhost"
        return (components.url ?? url, socketPath)
    }
}
