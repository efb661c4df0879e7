import MLOpsCore
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where S3 requests go, in which region they are signed, and how bucket names go into URLs.
///
/// ```swift
/// let endpoint = try S3Endpoint(environment: ProcessInfo.processInfo.environment)
/// let url = endpoint.url(bucket: "mlflow", key: "1/abc/artifacts/model/MLmodel")
/// // http://127.0.0.1:9000/mlflow/1/abc/artifacts/model/MLmodel (MinIO, path-style)
/// ```
///
/// An endpoint named by configuration (MinIO, SeaweedFS, any S3-compatible server) uses path-style URLs
/// (`http://host:9000/bucket/key`). AWS's own endpoint uses virtual-hosted URLs
/// (`https://bucket.s3.eu-west-1.amazonaws.com/key`), except for bucket names that are not valid DNS
/// labels for it (names with dots, which break TLS wildcard certificates, upper case or underscores), which
/// fall back to path style.
public struct S3Endpoint: Sendable, Hashable, CustomStringConvertible {
    /// How a bucket name goes into a URL.
    public enum AddressingStyle: String, Sendable, Hashable, CaseIterable {
        /// `https://host/bucket/key`.
        case path
        /// `https://bucket.host/key`.
        case virtualHosted = "virtual-hosted"
    }

    /// Variables naming the endpoint, most specific first: MLflow's own (`MLFLOW_S3_ENDPOINT_URL`, as in
    /// the original stack), then the AWS SDKs' service-specific and global overrides.
    public static let endpointVariables = ["MLFLOW_S3_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]
    /// Variables naming the region, first set wins.
    public static let regionVariables = ["AWS_REGION", "AWS_DEFAULT_REGION"]
    /// The region when none is set: `us-east-1`, also MinIO's default.
    public static let defaultRegion = "us-east-1"

    /// The scheme, host, optional port and optional path prefix requests are made under, without a
    /// trailing slash.
    public let baseURL: URL
    /// The region requests are signed for.
    public var region: String
    /// The preferred addressing style; ``addressingStyle(for:)`` says what a given bucket gets.
    public var addressingStyle: AddressingStyle

    /// An endpoint at `url` (an `http` or `https` URL with a host; a path becomes a prefix of every
    /// request path).
    ///
    /// - Throws: ``S3EndpointError`` when `url` is not an `http`/`https` URL with a host, or has a query.
    public init(url: URL, region: String = S3Endpoint.defaultRegion, addressingStyle: AddressingStyle = .path)
        throws(S3EndpointError)
    {
        try self.init(url: url, region: region, addressingStyle: addressingStyle, variable: nil)
    }

    init(url: URL, region: String, addressingStyle: AddressingStyle, variable: String?)
        throws(S3EndpointError)
    {
        let text = url.absoluteString
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host(percentEncoded: true), !host.isEmpty
        else {
            throw S3EndpointError(variable: variable, value: text, detail: "expected an http or https URL with a host")
        }
        guard url.query(percentEncoded: true) == nil, url.fragment(percentEncoded: true) == nil else {
            throw S3EndpointError(variable: variable, value: text, detail: "an endpoint URL takes no query or fragment")
        }
        var path = url.path(percentEncoded: true)
        while path.hasSuffix("/") { path.removeLast() }
        var base = "\(scheme)://"
        base += host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        if let port = url.port { base += ":\(port)" }
        guard let baseURL = URL(string: base + path) else {
            throw S3EndpointError(variable: variable, value: text, detail: "not a valid URL")
        }
        self.baseURL = baseURL
        self.region = region
        self.addressingStyle = addressingStyle
    }

    /// AWS S3's regional endpoint, `https://s3.<region>.amazonaws.com` (`.amazonaws.com.cn` for `cn-`
    /// regions), with virtual-hosted addressing.
    ///
    /// The host name keeps only the letters, digits and hyphens of `region` (in lower case); requests are
    /// signed for `region` as given.
    public static func aws(region: String = S3Endpoint.defaultRegion) -> S3Endpoint {
        let label = String(region.lowercased().unicodeScalars.filter(isRegionCharacter).map(Character.init))
        let suffix = label.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        let host = label.isEmpty ? "s3.\(suffix)" : "s3.\(label).\(suffix)"
        // A host made of letters, digits, hyphens and fixed labels always parses and passes the checks.
        return try! S3Endpoint(
            url: URL(string: "https://\(host)")!, region: region, addressingStyle: .virtualHosted, variable: nil)
    }

    /// Whether `scalar` may appear in a region name: ASCII letters, digits and `-`.
    static func isRegionCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-")
    }

    /// The endpoint the environment names, as MLflow's S3 artifact store and the AWS SDKs find it.
    ///
    /// The URL is the first non-empty of ``endpointVariables`` (path-style), else AWS's regional endpoint
    /// (virtual-hosted). The region is the first non-empty of ``regionVariables``, else `us-east-1`.
    ///
    /// - Throws: ``S3EndpointError`` naming the variable whose value is not an `http`/`https` URL.
    public init(environment: [String: String]) throws(S3EndpointError) {
        func value(_ name: String) -> String? {
            environment[name].map { $0.trimmingWhitespace() }.flatMap { $0.isEmpty ? nil : $0 }
        }
        let regionVariable = Self.regionVariables.first { value($0) != nil }
        let region = regionVariable.flatMap(value) ?? Self.defaultRegion
        guard let variable = Self.endpointVariables.first(where: { value($0) != nil }), let text = value(variable)
        else {
            // The region becomes part of AWS's host name, so it must be a plain name there.
            if let regionVariable, !region.unicodeScalars.allSatisfy(Self.isRegionCharacter) {
                throw S3EndpointError(
                    variable: regionVariable, displayValue: region, detail: "expected a region name such as us-east-1")
            }
            self = .aws(region: region)
            return
        }
        guard let url = URL(string: text) else {
            throw S3EndpointError(variable: variable, value: text, detail: "not a valid URL")
        }
        try self.init(url: url, region: region, addressingStyle: .path, variable: variable)
    }

    // MARK: URLs

    /// The addressing style `bucket` gets: ``addressingStyle``, unless that is virtual-hosted and the name
    /// cannot be a DNS label of this host (3–63 lower-case letters, digits and hyphens, starting and ending
    /// with a letter or digit; no dots).
    public func addressingStyle(for bucket: String) -> AddressingStyle {
        guard addressingStyle == .virtualHosted, Self.isVirtualHostable(bucket) else { return .path }
        return .virtualHosted
    }

    /// The URL of an object, or of a bucket when `key` is empty, with `query` appended in order.
    ///
    /// Each `/`-separated segment of the key is percent-encoded on its own, leaving only RFC 3986's
    /// unreserved characters (`A–Z a–z 0–9 - . _ ~`) and the `/` separators as they are, so keys with
    /// spaces, `+`, `=`, `&`, `?`, `%`, `#`, non-ASCII characters or repeated slashes (`a//b`) reach S3
    /// exactly and sign as ``SigV4Signer`` expects. Query names and values are encoded the same way (a space
    /// is `%20`, a plus `%2B`); an empty value is written `name=`.
    ///
    /// - Parameters:
    ///   - bucket: The bucket name.
    ///   - key: The object key, or `""` for the bucket itself.
    ///   - query: Query parameters, unencoded, in the order to write them.
    public func url(bucket: String, key: String = "", query: [(name: String, value: String)] = []) -> URL {
        let encodedKey = key.split(separator: "/", omittingEmptySubsequences: false)
            .map { SigV4Encoding.uriEncode($0) }.joined(separator: "/")
        let base = baseURL.absoluteString
        var text: String
        switch addressingStyle(for: bucket) {
        case .path:
            text = base + "/" + SigV4Encoding.uriEncode(bucket)
            if !key.isEmpty { text += "/" + encodedKey }
        case .virtualHosted:
            let schemeEnd = base.firstRange(of: "://")!.upperBound
            text = String(base[..<schemeEnd]) + bucket + "." + String(base[schemeEnd...]) + "/" + encodedKey
        }
        if !query.isEmpty {
            text +=
                "?"
                + query.map { SigV4Encoding.uriEncode($0.name) + "=" + SigV4Encoding.uriEncode($0.value) }
                .joined(separator: "&")
        }
        // Every piece is either the validated base URL or percent-encoded down to unreserved characters.
        return URL(string: text)!
    }

    /// Whether `bucket` can be the first DNS label of a virtual-hosted URL.
    static func isVirtualHostable(_ bucket: String) -> Bool {
        let bytes = Array(bucket.utf8)
        guard (3...63).contains(bytes.count) else { return false }
        func isLetterOrDigit(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard isLetterOrDigit(bytes.first!), isLetterOrDigit(bytes.last!) else { return false }
        return bytes.allSatisfy { isLetterOrDigit($0) || $0 == UInt8(ascii: "-") }
    }

    /// `S3Endpoint(http://127.0.0.1:9000, region: us-east-1, path)`.
    public var description: String {
        "S3Endpoint(\(Redaction.redact(baseURL)), region: \(region), \(addressingStyle.rawValue))"
    }
}

/// An S3 endpoint URL (or, for AWS's own endpoint, a region name) that cannot be used.
///
/// It names the variable the value came from; a URL is shown with any password masked.
public struct S3EndpointError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The variable the URL came from, or `nil` for a URL given in code.
    public var variable: String?
    /// The URL as it may be shown (password masked).
    public var displayValue: String
    /// What was expected.
    public var detail: String

    /// Creates an error about the URL `value` (masked before it is stored).
    public init(variable: String?, value: String, detail: String) {
        self.init(variable: variable, displayValue: Redaction.redact(value), detail: detail)
    }

    /// Creates an error about a value that is not a URL and not secret (a region name).
    init(variable: String?, displayValue: String, detail: String) {
        self.variable = variable
        self.displayValue = displayValue
        self.detail = detail
    }

    /// `invalid S3 endpoint for AWS_ENDPOINT_URL: 'ftp://host' (expected an http or https URL with a host)`.
    public var description: String {
        let subject = variable.map { "invalid S3 endpoint for \($0)" } ?? "invalid S3 endpoint"
        return "\(subject): '\(displayValue)' (\(detail))"
    }
}
