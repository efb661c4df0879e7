import MLOpsCore
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Signs requests with AWS Signature Version 4, by default the way S3 expects.
///
/// A signer is a value: credentials, region and service. It reads no clock; the signing instant is a
/// parameter, so the same inputs always give the same signature.
///
/// ```swift
/// let signer = SigV4Signer(credentials: credentials, region: "us-east-1")
/// let request = TransportRequest(method: .get, url: endpoint.url(bucket: "mlflow", key: "runs/1/model.pkl"))
/// let signed = signer.sign(request, payload: .emptyBody, date: Date())
/// let link = try signer.presign(url: request.url, expiresIn: .seconds(3600), date: Date())
/// ```
///
/// S3's rules apply unless ``normalizesPath`` is set:
/// - The path is not normalised: `.`/`..` segments and repeated slashes are signed as they are. Each
///   segment is percent-decoded and encoded again with only RFC 3986's unreserved characters left alone,
///   so a URL path written `/b/a b`, `/b/a%20b` or `/b/a%20%62` is signed as `/b/a%20b`, and an encoded
///   slash (`%2F`) inside a segment stays encoded.
/// - The query is decoded and re-encoded the same way (`+` is a plus, never a space; a space is `%20`),
///   sorted by name and then value, and a parameter without a value is signed as `name=`.
/// - Header names are lower-cased; values are trimmed and inner whitespace runs collapsed to one space;
///   repeated headers are joined with `,` in their order.
/// - Signed headers are `host`, every `x-amz-*` header, `content-type`, `content-md5` and `range`, plus any
///   header named in `additionalSignedHeaders`. Other headers (such as `content-length` or `user-agent`,
///   which a transport may add or change) are sent unsigned.
///
/// Verified against the AWS signing test suite (as published in `awslabs/aws-c-auth`), the signatures in
/// the S3 API Reference, and botocore's signer over generated requests.
public struct SigV4Signer: Sendable, CustomStringConvertible {
    /// The signing algorithm's name, the first word of the `Authorization` header.
    public static let algorithm = "AWS4-HMAC-SHA256"
    /// The longest lifetime of a presigned URL: 7 days.
    public static let maximumPresignedLifetime: Duration = .seconds(604_800)

    /// The key requests are signed with.
    public var credentials: AWSCredentials
    /// The region in the credential scope, such as `us-east-1` (MinIO's default).
    public var region: String
    /// The service in the credential scope: `s3` unless another service is signed for.
    public var service: String
    /// Whether the path is normalised before it is signed (`.` and `..` segments resolved, repeated
    /// slashes collapsed), as most AWS services other than S3 expect. Must stay `false` for S3, where
    /// `a//b` and `a/../b` are distinct keys.
    public var normalizesPath: Bool

    /// Whether ``sign(_:payload:date:additionalSignedHeaders:)`` adds `x-amz-content-sha256`. S3 requires it;
    /// the generic-service test vectors sign without it.
    var addsContentSHA256Header = true
    /// Whether the session token is added after signing instead of being signed (some services want it
    /// so; S3 does not). Only the test vectors use it.
    var omitsSessionTokenFromSignature = false

    /// Creates a signer.
    ///
    /// - Parameters:
    ///   - credentials: The access key to sign with.
    ///   - region: The region in the credential scope.
    ///   - service: The service in the credential scope; `s3` by default.
    ///   - normalizesPath: Whether to normalise the path first (never for S3).
    public init(credentials: AWSCredentials, region: String, service: String = "s3", normalizesPath: Bool = false) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.normalizesPath = normalizesPath
    }

    /// `SigV4Signer(s3, us-east-1, access key ***MPLE)`: never the secret or the session token.
    public var description: String {
        "SigV4Signer(\(service), \(region), access key \(credentials.displayAccessKeyID))"
    }

    // MARK: Header signing

    /// `request` with the headers of a Signature V4 signature added.
    ///
    /// Adds `Host` (the URL's host, with the port unless it is the scheme's default) when the request has
    /// none, `X-Amz-Date`, `X-Amz-Content-SHA256` (always, as S3 requires), `X-Amz-Security-Token` when the
    /// credentials have a session token, and `Authorization`. Any earlier values of these headers are
    /// replaced, so signing a request again (a retry, new credentials) is safe.
    ///
    /// - Parameters:
    ///   - request: The request as it will be sent. Its body is not read: the payload hash says what it is.
    ///   - payload: The body's SHA-256, ``PayloadHash/emptyBody``, or ``PayloadHash/unsigned``.
    ///   - date: The signing instant. Servers refuse requests more than 15 minutes from their clock.
    ///   - additionalSignedHeaders: Names (any case) of headers to sign beyond the default set.
    /// - Returns: The signed request.
    public func sign(
        _ request: TransportRequest, payload: PayloadHash, date: Date, additionalSignedHeaders: Set<String> = []
    ) -> TransportRequest {
        signWithDetails(request, payload: payload, date: date, additionalSignedHeaders: additionalSignedHeaders)
            .request
    }

    /// ``sign(_:payload:date:additionalSignedHeaders:)`` with every intermediate string.
    func signWithDetails(
        _ request: TransportRequest, payload: PayloadHash, date: Date, additionalSignedHeaders: Set<String> = []
    ) -> (request: TransportRequest, details: SigningDetails) {
        let timestamp = SigV4Timestamp(date)
        var signed = request
        signed.headers["Authorization"] = nil
        if !signed.headers.contains("Host"), let host = Self.hostHeader(for: request.url) {
            signed.headers["Host"] = host
        }
        signed.headers["X-Amz-Date"] = timestamp.dateTime
        if addsContentSHA256Header {
            signed.headers["X-Amz-Content-SHA256"] = payload.value
        }
        signed.headers["X-Amz-Security-Token"] = nil
        if let token = credentials.sessionToken, !omitsSessionTokenFromSignature {
            signed.headers["X-Amz-Security-Token"] = token
        }

        let headers = Self.headersToSign(signed.headers, additional: additionalSignedHeaders)
        let details = signingDetails(
            method: request.method.rawValue, canonicalURI: canonicalURI(for: request.url),
            canonicalQuery: Self.canonicalQuery(Self.queryItems(of: request.url)), headers: headers,
            payloadHash: payload.value, timestamp: timestamp)

        if let token = credentials.sessionToken, omitsSessionTokenFromSignature {
            signed.headers["X-Amz-Security-Token"] = token
        }
        signed.headers["Authorization"] = details.authorization(accessKeyID: credentials.accessKeyID)
        return (signed, details)
    }

    // MARK: Presigned URLs

    /// A presigned URL: `url` with the `X-Amz-*` query parameters that let anyone holding it make this one
    /// request until it expires, without credentials.
    ///
    /// The payload is always `UNSIGNED-PAYLOAD`. The URL's own query parameters are kept (re-encoded as
    /// RFC 3986 requires) ahead of the signature's; earlier `X-Amz-*` signature parameters are replaced.
    ///
    /// - Parameters:
    ///   - method: The method the URL is for; a presigned GET cannot be used for a PUT.
    ///   - url: The request's URL, such as ``S3Endpoint/url(bucket:key:query:)``'s.
    ///   - expiresIn: How long the URL stays valid: 1 second to 7 days, whole seconds.
    ///   - date: The signing instant, from which the lifetime counts.
    ///   - signedHeaders: Headers the request must then be sent with, such as `Content-Type` for an
    ///     upload. `host` is always signed (from the URL unless given here).
    /// - Returns: The presigned URL. Log it only through ``Redaction``: it is a bearer credential.
    /// - Throws: ``SigV4Error`` with ``SigV4Error/Code/invalidExpiry`` for a lifetime out of range, or
    ///   ``SigV4Error/Code/invalidURL`` for a URL without a scheme or host.
    public func presign(
        method: TransportMethod = .get, url: URL, expiresIn: Duration, date: Date, signedHeaders: TransportHeaders = [:]
    ) throws(SigV4Error) -> URL {
        try presignWithDetails(
            method: method, url: url, expiresIn: expiresIn, date: date, signedHeaders: signedHeaders,
            payload: .unsigned
        ).url
    }

    /// ``presign(method:url:expiresIn:date:signedHeaders:)`` with every intermediate string, and a payload
    /// hash other services than S3 sign presigned URLs with.
    func presignWithDetails(
        method: TransportMethod, url: URL, expiresIn: Duration, date: Date, signedHeaders: TransportHeaders,
        payload: PayloadHash
    ) throws(SigV4Error) -> (url: URL, details: SigningDetails) {
        let lifetime = try Self.presignedLifetimeSeconds(expiresIn)
        let absolute = url.absoluteString
        guard url.scheme != nil, let host = signedHeaders["Host"] ?? Self.hostHeader(for: url) else {
            throw SigV4Error(code: .invalidURL, detail: "\(Redaction.redact(absolute)) has no scheme or host")
        }
        let timestamp = SigV4Timestamp(date)
        var headers = TransportHeaders()
        headers["Host"] = host
        for field in signedHeaders where field.name.lowercased() != "host" {
            headers.add(name: field.name, value: field.value)
        }
        let allHeaders = Set(headers.map { $0.name.lowercased() })
        let canonical = Self.headersToSign(headers, additional: allHeaders)

        let operationItems = Self.queryItems(of: url).filter {
            !Self.presignParameterNames.contains($0.name.lowercased())
        }
        var signatureItems: [QueryItem] = [
            QueryItem(name: "X-Amz-Algorithm", value: Self.algorithm),
            QueryItem(
                name: "X-Amz-Credential",
                value: SigV4Encoding.uriEncode(credentials.accessKeyID + "/" + credentialScope(timestamp))),
            QueryItem(name: "X-Amz-Date", value: timestamp.dateTime),
            QueryItem(name: "X-Amz-Expires", value: String(lifetime)),
            QueryItem(
                name: "X-Amz-SignedHeaders", value: SigV4Encoding.uriEncode(Self.signedHeaderList(canonical))),
        ]
        let tokenItem = credentials.sessionToken.map {
            QueryItem(name: "X-Amz-Security-Token", value: SigV4Encoding.uriEncode($0))
        }
        if let tokenItem, !omitsSessionTokenFromSignature { signatureItems.append(tokenItem) }

        let details = signingDetails(
            method: method.rawValue, canonicalURI: canonicalURI(for: url),
            canonicalQuery: Self.canonicalQuery(operationItems + signatureItems), headers: canonical,
            payloadHash: payload.value, timestamp: timestamp)

        if let tokenItem, omitsSessionTokenFromSignature { signatureItems.append(tokenItem) }
        signatureItems.append(QueryItem(name: "X-Amz-Signature", value: details.signature))
        let query = (operationItems + signatureItems).map { "\($0.name)=\($0.value)" }.joined(separator: "&")
        let base = absolute.firstIndex { $0 == "?" || $0 == "#" }.map { String(absolute[..<$0]) } ?? absolute
        guard let presigned = URL(string: base + "?" + query) else {
            throw SigV4Error(code: .invalidURL, detail: "\(Redaction.redact(absolute)) cannot take a query")
        }
        return (presigned, details)
    }

    /// The query parameters a presigned URL carries, lower-cased.
    static let presignParameterNames: Set<String> = [
        "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-expires", "x-amz-signedheaders",
        "x-amz-security-token", "x-amz-signature",
    ]

    /// `lifetime` in whole seconds, or an error when it is not 1 s to 7 days.
    static func presignedLifetimeSeconds(_ lifetime: Duration) throws(SigV4Error) -> Int64 {
        let (seconds, attoseconds) = lifetime.components
        let maximum = maximumPresignedLifetime.components.seconds
        guard attoseconds == 0, (1...maximum).contains(seconds) else {
            throw SigV4Error(
                code: .invalidExpiry,
                detail: "\(lifetime); expected a whole number of seconds from 1 to \(maximum) (7 days)")
        }
        return seconds
    }
}
