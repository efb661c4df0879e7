#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Masks secrets in URLs and headers before they reach a log line or an error message.
public enum Redaction {
    /// What replaces a secret.
    public static let mask = "***"

    /// Header names whose values are always secret (compared case-insensitively).
    public static let secretHeaderNames: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "set-cookie",
        "x-amz-security-token", "x-mlflow-signature", "x-api-key", "x-auth-token",
    ]

    /// Query parameter names whose values are secret (compared case-insensitively).
    public static let secretQueryNames: Set<String> = [
        "x-amz-signature", "x-amz-security-token", "x-amz-credential", "signature",
        "awsaccesskeyid", "token", "access_token", "sig", "password", "secret", "api_key", "apikey",
    ]

    /// Whether a header's value must be masked.
    public static func isSecretHeader(_ name: String) -> Bool {
        secretHeaderNames.contains(name.lowercased())
    }

    /// `url` with its password and secret query values masked.
    public static func redact(_ url: URL) -> String {
        redact(url.absoluteString)
    }

    /// A URL string with its password and secret query values masked. Strings that do not parse as a URL
    /// are returned with anything that looks like `user:password@` masked.
    public static func redact(_ urlString: String) -> String {
        guard var components = URLComponents(string: urlString) else {
            return maskUserInfo(in: urlString)
        }
        if components.password != nil {
            components.password = mask
        }
        if let items = components.percentEncodedQueryItems, !items.isEmpty {
            components.percentEncodedQueryItems = items.map { item in
                secretQueryNames.contains(item.name.lowercased()) && item.value != nil
                    ? URLQueryItem(name: item.name, value: mask) : item
            }
        }
        return components.string ?? maskUserInfo(in: urlString)
    }

    /// Headers with every secret value masked, as `name: value` lines.
    public static func redact(_ headers: TransportHeaders) -> [String] {
        headers.map { "\($0.name): \(isSecretHeader($0.name) ? mask : $0.value)" }
    }

    private static func maskUserInfo(in text: String) -> String {
        guard let schemeEnd = text.firstRange(of: "://"),
            let at = text[schemeEnd.upperBound...].firstIndex(of: "@")
        else { return text }
        let userInfo = text[schemeEnd.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return text }
        return String(text[..<text.index(after: colon)]) + mask + String(text[at...])
    }
}
