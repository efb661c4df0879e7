import MLOpsCore
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

// The steps of Signature V4, each inspectable on its own (tests reach them through `@testable import`):
// canonical request → string to sign → signing key → signature.

/// Everything a signature was computed from, for tests and for debugging a `SignatureDoesNotMatch`.
struct SigningDetails: Sendable, Hashable {
    /// The canonical request: method, URI, query, headers, signed header list and payload hash.
    var canonicalRequest: String
    /// `AWS4-HMAC-SHA256`, the timestamp, the credential scope and the canonical request's SHA-256.
    var stringToSign: String
    /// The signature: lowercase hex of the HMAC of the string to sign under the signing key.
    var signature: String
    /// The signed header names, lower-case, sorted, joined with `;`.
    var signedHeaders: String
    /// `20130524/us-east-1/s3/aws4_request`.
    var credentialScope: String
    /// `20130524T000000Z`.
    var timestamp: String

    /// The `Authorization` header value.
    func authorization(accessKeyID: String) -> String {
        "\(SigV4Signer.algorithm) Credential=\(accessKeyID)/\(credentialScope), SignedHeaders=\(signedHeaders), "
            + "Signature=\(signature)"
    }
}

/// A query parameter whose name and value are already percent-encoded.
struct QueryItem: Sendable, Hashable {
    var name: String
    var value: String
}

extension SigV4Signer {
    // MARK: Canonical request

    /// Computes the canonical request, string to sign and signature from canonical parts.
    ///
    /// - Parameters:
    ///   - headers: The headers to sign, any case, in request order (repeats allowed).
    func signingDetails(
        method: String, canonicalURI: String, canonicalQuery: String, headers: [(name: String, value: String)],
        payloadHash: String, timestamp: SigV4Timestamp
    ) -> SigningDetails {
        let (headerBlock, signedHeaders) = Self.canonicalHeaders(headers)
        let canonicalRequest = Self.canonicalRequest(
            method: method, uri: canonicalURI, query: canonicalQuery, headerBlock: headerBlock,
            signedHeaders: signedHeaders, payloadHash: payloadHash)
        let stringToSign = stringToSign(canonicalRequest: canonicalRequest, timestamp: timestamp)
        return SigningDetails(
            canonicalRequest: canonicalRequest, stringToSign: stringToSign,
            signature: signature(stringToSign: stringToSign, day: timestamp.day), signedHeaders: signedHeaders,
            credentialScope: credentialScope(timestamp), timestamp: timestamp.dateTime)
    }

    /// The six lines of the canonical request. `headerBlock` holds one `name:value` line per header.
    static func canonicalRequest(
        method: String, uri: String, query: String, headerBlock: String, signedHeaders: String, payloadHash: String
    ) -> String {
        [method.uppercased(), uri, query, headerBlock, "", signedHeaders, payloadHash].joined(separator: "\n")
    }

    /// The canonical URI of `url`: its percent-encoded path, each segment decoded and encoded again
    /// (``SigV4Encoding/canonicalize(_:)``), normalised only when ``normalizesPath`` is set. An empty path
    /// is `/`.
    func canonicalURI(for url: URL) -> String {
        Self.canonicalURI(path: url.path(percentEncoded: true), normalizing: normalizesPath)
    }

    static func canonicalURI(path: String, normalizing: Bool) -> String {
        let path = path.isEmpty ? "/" : path
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard normalizing else {
            return segments.map { SigV4Encoding.canonicalize($0) }.joined(separator: "/")
        }
        // RFC 3986 §5.2.4 dot-segment removal, plus collapsing of empty segments (`//`); a path ending in
        // `/`, `/.` or `/..` keeps a trailing slash.
        var kept: [[UInt8]] = []
        var trailingSlash = false
        let parts = path.hasPrefix("/") ? Array(segments.dropFirst()) : segments
        for (index, part) in parts.enumerated() {
            let bytes = SigV4Encoding.percentDecode(part)
            let isLast = index == parts.count - 1
            switch bytes {
            case [], [UInt8(ascii: ".")]:
                trailingSlash = isLast
            case [UInt8(ascii: "."), UInt8(ascii: ".")]:
                _ = kept.popLast()
                trailingSlash = isLast
            default:
                kept.append(bytes)
                trailingSlash = false
            }
        }
        let joined = kept.map { SigV4Encoding.uriEncode($0) }.joined(separator: "/")
        return "/" + joined + (trailingSlash && !kept.isEmpty ? "/" : "")
    }

    /// The parameters of `url`'s query, each name and value decoded and encoded again, in URL order. A
    /// parameter without `=` has an empty value; empty `&&` pieces are skipped.
    static func queryItems(of url: URL) -> [QueryItem] {
        guard let query = url.query(percentEncoded: true), !query.isEmpty else { return [] }
        return query.split(separator: "&").map { pair in
            guard let equals = pair.firstIndex(of: "=") else {
                return QueryItem(name: SigV4Encoding.canonicalize(pair), value: "")
            }
            return QueryItem(
                name: SigV4Encoding.canonicalize(pair[..<equals]),
                value: SigV4Encoding.canonicalize(pair[pair.index(after: equals)...]))
        }
    }

    /// The canonical query string: `name=value` pairs sorted by encoded name, then encoded value.
    static func canonicalQuery(_ items: [QueryItem]) -> String {
        items.sorted { lhs, rhs in
            lhs.name == rhs.name
                ? SigV4Encoding.precedes(lhs.value, rhs.value) : SigV4Encoding.precedes(lhs.name, rhs.name)
        }
        .map { "\($0.name)=\($0.value)" }
        .joined(separator: "&")
    }

    /// The canonical header lines (lower-case names sorted; values trimmed, whitespace collapsed, repeats
    /// joined with `,`) and the signed header list.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (block: String, signed: String) {
        var valuesByName: [String: [String]] = [:]
        for (name, value) in headers {
            valuesByName[name.lowercased(), default: []].append(SigV4Encoding.trimAll(value))
        }
        let names = valuesByName.keys.sorted(by: SigV4Encoding.precedes)
        let block = names.map { "\($0):\(valuesByName[$0]!.joined(separator: ","))" }.joined(separator: "\n")
        return (block, names.joined(separator: ";"))
    }

    /// The signed header list of already-selected headers.
    static func signedHeaderList(_ headers: [(name: String, value: String)]) -> String {
        canonicalHeaders(headers).signed
    }

    /// Header names signed whenever present, besides every `x-amz-*` header.
    static let alwaysSignedHeaders: Set<String> = ["host", "content-type", "content-md5", "range"]

    /// The fields of `headers` that are signed: ``alwaysSignedHeaders``, `x-amz-*`, and `additional`
    /// (compared case-insensitively). Never `authorization`.
    static func headersToSign(_ headers: TransportHeaders, additional: Set<String>) -> [(name: String, value: String)] {
        let additional = Set(additional.map { $0.lowercased() })
        return headers.compactMap { field in
            let name = field.name.lowercased()
            guard name != "authorization",
                alwaysSignedHeaders.contains(name) || name.hasPrefix("x-amz-") || additional.contains(name)
            else { return nil }
            return (name, field.value)
        }
    }

    /// The `Host` header for `url`: its host in lower case (IPv6 in brackets), with `:port` unless the port
    /// is the scheme's default. `nil` for a URL without a host.
    static func hostHeader(for url: URL) -> String? {
        guard var host = url.host(percentEncoded: true), !host.isEmpty else { return nil }
        host = host.lowercased()
        if host.contains(":"), !host.hasPrefix("[") { host = "[\(host)]" }
        let defaultPort: Int? =
            switch url.scheme?.lowercased() {
            case "http": 80
            case "https": 443
            default: nil
            }
        if let port = url.port, port != defaultPort { host += ":\(port)" }
        return host
    }

    // MARK: String to sign, key and signature

    /// `20130524/us-east-1/s3/aws4_request`.
    func credentialScope(_ timestamp: SigV4Timestamp) -> String {
        "\(timestamp.day)/\(region)/\(service)/aws4_request"
    }

    /// The string to sign for a canonical request.
    func stringToSign(canonicalRequest: String, timestamp: SigV4Timestamp) -> String {
        let digest = SigV4Encoding.hex(Digest.hash(.sha256, Array(canonicalRequest.utf8)))
        return [Self.algorithm, timestamp.dateTime, credentialScope(timestamp), digest].joined(separator: "\n")
    }

    /// The signing key for the day of `date`: `AWS4` + secret, then HMAC-SHA256 with the day, region,
    /// service and `aws4_request` in turn.
    func signingKey(date: Date) -> [UInt8] {
        signingKey(day: SigV4Timestamp(date).day)
    }

    func signingKey(day: String) -> [UInt8] {
        var key = Array(("AWS4" + credentials.secretAccessKey).utf8)
        for part in [day, region, service, "aws4_request"] {
            key = Digest.hmacSHA256(key: key, message: Array(part.utf8))
        }
        return key
    }

    /// The signature of a string to sign: lowercase hex of its HMAC-SHA256 under the signing key.
    func signature(stringToSign: String, date: Date) -> String {
        signature(stringToSign: stringToSign, day: SigV4Timestamp(date).day)
    }

    func signature(stringToSign: String, day: String) -> String {
        SigV4Encoding.hex(Digest.hmacSHA256(key: signingKey(day: day), message: Array(stringToSign.utf8)))
    }
}
