import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An error reported by an S3-compatible server.
///
/// Built from the server's `<Error>` document when there is one (``init(status:headers:body:operation:bucket:key:)``),
/// including the `<Error>` that S3 may send inside an HTTP 200 response to CompleteMultipartUpload or
/// CopyObject. Without a usable document (a HEAD request's empty 404, an HTML page from a proxy) the
/// ``code`` is derived from the HTTP status and the body, if any, is kept in ``rawBody``.
///
/// The ``message`` and ``description`` hold only what the server said and the names given by the
/// caller; no URL, query string or credential is added. Echoed signing material (the provided
/// signature, the access key ID, byte dumps) is dropped, and signatures, credentials and session tokens
/// in the canonical request and the raw body are masked.
public struct S3Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// An S3 error code, such as `NoSuchKey`.
    ///
    /// Codes this type does not list are kept verbatim through ``init(rawValue:)``, so comparing with
    /// the static members never loses information.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The code as the server spelled it, for example `"NoSuchKey"`.
        public let rawValue: String

        /// A code from its raw value.
        public init(rawValue: String) { self.rawValue = rawValue }

        public var description: String { rawValue }

        // MARK: Missing things

        /// The key does not exist (HTTP 404).
        public static let noSuchKey = Code(rawValue: "NoSuchKey")
        /// The bucket does not exist (HTTP 404).
        public static let noSuchBucket = Code(rawValue: "NoSuchBucket")
        /// The multipart upload does not exist: wrong ID, or already completed or aborted (HTTP 404).
        public static let noSuchUpload = Code(rawValue: "NoSuchUpload")
        /// The version does not exist (HTTP 404).
        public static let noSuchVersion = Code(rawValue: "NoSuchVersion")
        /// A 404 without an error document, as HEAD requests get: the bucket or the key is missing.
        public static let notFound = Code(rawValue: "NotFound")

        // MARK: Authentication and signing

        /// The caller may not do this, or a presigned URL has expired ("Request has expired") (HTTP 403).
        public static let accessDenied = Code(rawValue: "AccessDenied")
        /// A 403 without an error document, as HEAD requests get.
        public static let forbidden = Code(rawValue: "Forbidden")
        /// The signature the server computed differs from the one sent (HTTP 403).
        public static let signatureDoesNotMatch = Code(rawValue: "SignatureDoesNotMatch")
        /// The access key ID is unknown to the server (HTTP 403).
        public static let invalidAccessKeyId = Code(rawValue: "InvalidAccessKeyId")
        /// The `Authorization` header is malformed, for example signed for the wrong region (HTTP 400).
        public static let authorizationHeaderMalformed = Code(rawValue: "AuthorizationHeaderMalformed")
        /// A presigned URL's query parameters are malformed (HTTP 400).
        public static let authorizationQueryParametersError = Code(rawValue: "AuthorizationQueryParametersError")
        /// The request's time is too far from the server's clock (HTTP 403).
        public static let requestTimeTooSkewed = Code(rawValue: "RequestTimeTooSkewed")
        /// The session token has expired (HTTP 400).
        public static let expiredToken = Code(rawValue: "ExpiredToken")
        /// The session token is malformed or invalid (HTTP 400).
        public static let invalidToken = Code(rawValue: "InvalidToken")

        // MARK: Integrity

        /// The body does not match its `Content-MD5` (HTTP 400).
        public static let badDigest = Code(rawValue: "BadDigest")
        /// The `Content-MD5` header is not a valid digest (HTTP 400).
        public static let invalidDigest = Code(rawValue: "InvalidDigest")
        /// The body does not match its `x-amz-content-sha256` (HTTP 400).
        public static let xAmzContentSHA256Mismatch = Code(rawValue: "XAmzContentSHA256Mismatch")
        /// The operation needs a `Content-MD5` header, as DeleteObjects does on MinIO (HTTP 400).
        public static let missingContentMD5 = Code(rawValue: "MissingContentMD5")
        /// The request needs a `Content-Length` header (HTTP 411).
        public static let missingContentLength = Code(rawValue: "MissingContentLength")

        // MARK: Multipart uploads and objects

        /// A part other than the last is smaller than the minimum, 5 MiB on S3 (HTTP 400).
        public static let entityTooSmall = Code(rawValue: "EntityTooSmall")
        /// The upload is larger than allowed (HTTP 400).
        public static let entityTooLarge = Code(rawValue: "EntityTooLarge")
        /// A listed part was not found, or its ETag does not match (HTTP 400).
        public static let invalidPart = Code(rawValue: "InvalidPart")
        /// The parts were not listed in ascending order of part number (HTTP 400).
        public static let invalidPartOrder = Code(rawValue: "InvalidPartOrder")
        /// The requested range cannot be satisfied (HTTP 416).
        public static let invalidRange = Code(rawValue: "InvalidRange")
        /// The key is longer than allowed (HTTP 400).
        public static let keyTooLongError = Code(rawValue: "KeyTooLongError")
        /// A precondition (`If-Match`, `If-None-Match`, …) failed (HTTP 412).
        public static let preconditionFailed = Code(rawValue: "PreconditionFailed")
        /// The object has not changed since the given time or ETag (HTTP 304).
        public static let notModified = Code(rawValue: "NotModified")

        // MARK: Buckets

        /// The bucket exists and belongs to the caller (HTTP 409; 200 in S3's us-east-1).
        public static let bucketAlreadyOwnedByYou = Code(rawValue: "BucketAlreadyOwnedByYou")
        /// The bucket name is taken by someone else (HTTP 409).
        public static let bucketAlreadyExists = Code(rawValue: "BucketAlreadyExists")
        /// The bucket still holds objects, so it cannot be deleted (HTTP 409).
        public static let bucketNotEmpty = Code(rawValue: "BucketNotEmpty")
        /// The bucket name is not valid (HTTP 400).
        public static let invalidBucketName = Code(rawValue: "InvalidBucketName")
        /// The bucket must be addressed through another endpoint (HTTP 301).
        public static let permanentRedirect = Code(rawValue: "PermanentRedirect")
        /// The bucket is temporarily served from another endpoint (HTTP 307).
        public static let temporaryRedirect = Code(rawValue: "TemporaryRedirect")

        // MARK: Requests

        /// An argument is not valid (HTTP 400).
        public static let invalidArgument = Code(rawValue: "InvalidArgument")
        /// The request is not valid (HTTP 400).
        public static let invalidRequest = Code(rawValue: "InvalidRequest")
        /// The XML body of the request is malformed (HTTP 400).
        public static let malformedXML = Code(rawValue: "MalformedXML")
        /// A 400 without an error document.
        public static let badRequest = Code(rawValue: "BadRequest")
        /// The method is not allowed on this resource (HTTP 405).
        public static let methodNotAllowed = Code(rawValue: "MethodNotAllowed")
        /// The server does not implement this (HTTP 501).
        public static let notImplemented = Code(rawValue: "NotImplemented")
        /// A 409 without an error document.
        public static let conflict = Code(rawValue: "Conflict")

        // MARK: Server trouble

        /// Too many requests; slow down and retry (HTTP 503).
        public static let slowDown = Code(rawValue: "SlowDown")
        /// The server failed; retry (HTTP 500, or inside a 200 CompleteMultipartUpload response).
        public static let internalError = Code(rawValue: "InternalError")
        /// The service is unavailable; retry (HTTP 503).
        public static let serviceUnavailable = Code(rawValue: "ServiceUnavailable")
        /// The connection was idle too long while the body was sent (HTTP 400); retry.
        public static let requestTimeout = Code(rawValue: "RequestTimeout")
        /// An error response that neither a document nor its status explains.
        public static let unknown = Code(rawValue: "Unknown")
    }

    /// What kind of failure this is.
    public var code: Code
    /// The server's message, or a description of the HTTP status when there was no error document.
    public var message: String
    /// The HTTP status of the response. An `<Error>` inside a 200 response keeps status 200.
    public var httpStatus: Int?
    /// The server's request ID (`<RequestId>` or the `x-amz-request-id` header).
    public var requestID: String?
    /// The server's extended request ID (`<HostId>` or the `x-amz-id-2` header); empty values are `nil`.
    public var hostID: String?
    /// The bucket concerned: the caller's, or else the one the server named.
    public var bucket: String?
    /// The key concerned: the caller's, or else the one the server named.
    public var key: String?
    /// The region the server names (`<Region>` or the `x-amz-bucket-region` header), useful after a
    /// redirect or a malformed-authorization error.
    public var region: String?
    /// The operation that failed, as the caller named it (for example `"GetObject"`).
    public var operation: String?
    /// The start of the body (at most ``rawBodyLimit`` bytes) when it was not an S3 error document;
    /// `nil` when it was one or when the body was empty.
    public var rawBody: String?
    /// Every other element of the error document, by name, such as `Resource`, `Endpoint`,
    /// `ActualObjectSize` or `CanonicalRequest` (the last with secrets masked).
    public var additionalFields: [String: String]

    /// How much of a body that is not an error document ``rawBody`` keeps: 4 KiB.
    public static let rawBodyLimit = 4096

    /// Creates an error from its parts.
    public init(
        code: Code,
        message: String,
        httpStatus: Int? = nil,
        requestID: String? = nil,
        hostID: String? = nil,
        bucket: String? = nil,
        key: String? = nil,
        region: String? = nil,
        operation: String? = nil,
        rawBody: String? = nil,
        additionalFields: [String: String] = [:]
    ) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.requestID = requestID
        self.hostID = hostID
        self.bucket = bucket
        self.key = key
        self.region = region
        self.operation = operation
        self.rawBody = rawBody
        self.additionalFields = additionalFields
    }

    /// The error an S3 response stands for: its `<Error>` document when the body has one, otherwise a
    /// code derived from `status`, with the body kept in ``rawBody``.
    ///
    /// - Parameters:
    ///   - status: The HTTP status.
    ///   - headers: The response headers; `x-amz-request-id`, `x-amz-id-2` and `x-amz-bucket-region`
    ///     fill in what the body does not say.
    ///   - body: The response body, possibly empty.
    ///   - operation: The operation's name, for messages, such as `"HeadObject"`.
    ///   - bucket: The bucket the request addressed.
    ///   - key: The key the request addressed.
    public init(
        status: Int,
        headers: TransportHeaders = [:],
        body: Data,
        operation: String? = nil,
        bucket: String? = nil,
        key: String? = nil
    ) {
        if let document = try? S3ErrorDocument.decode(body) {
            self.init(document: document, status: status, headers: headers, operation: operation, bucket: bucket, key: key)
            return
        }
        let text = Self.rawText(of: body)
        let excerpt = ResponseExcerpt.excerpt(of: text)
        let statusText = Self.statusText(status)
        self.init(
            code: Self.code(forStatus: status),
            message: excerpt.isEmpty ? statusText : "\(statusText): \(excerpt)",
            httpStatus: status,
            requestID: headers["x-amz-request-id"].nonEmpty,
            hostID: headers["x-amz-id-2"].nonEmpty,
            bucket: bucket,
            key: key,
            region: headers["x-amz-bucket-region"].nonEmpty,
            operation: operation,
            rawBody: text.isEmpty ? nil : text
        )
    }

    /// An error from a parsed `<Error>` document.
    init(
        document: S3ErrorDocument,
        status: Int?,
        headers: TransportHeaders = [:],
        operation: String? = nil,
        bucket: String? = nil,
        key: String? = nil
    ) {
        var fields = document.fields
        let known = ["RequestId", "HostId", "BucketName", "Bucket", "Key", "Region"]
        let values = known.map { fields.removeValue(forKey: $0).nonEmpty }
        self.init(
            code: document.code.nonEmpty.map(Code.init(rawValue:)) ?? status.map(Self.code(forStatus:)) ?? .unknown,
            message: document.message.nonEmpty ?? status.map(Self.statusText) ?? "S3 error",
            httpStatus: status,
            requestID: values[0] ?? headers["x-amz-request-id"].nonEmpty,
            hostID: values[1] ?? headers["x-amz-id-2"].nonEmpty,
            bucket: bucket ?? values[2] ?? values[3],
            key: key ?? values[4],
            region: values[5] ?? headers["x-amz-bucket-region"].nonEmpty,
            operation: operation,
            additionalFields: fields
        )
    }

    // MARK: Classification

    /// Whether the addressed bucket, key, upload or version does not exist (any HTTP 404 counts).
    public var isNotFound: Bool {
        switch code {
        case .noSuchKey, .noSuchBucket, .noSuchUpload, .noSuchVersion, .notFound: true
        default: httpStatus == 404
        }
    }

    /// Whether sending the same request again later may succeed: server errors and throttling
    /// (`InternalError`, `SlowDown`, `ServiceUnavailable`, `RequestTimeout`, and HTTP 500, 502, 503,
    /// 504 or 429), including an `InternalError` inside a 200 CompleteMultipartUpload response.
    public var isRetryable: Bool {
        switch code {
        case .internalError, .slowDown, .serviceUnavailable, .requestTimeout,
            Code(rawValue: "SlowDownRead"), Code(rawValue: "SlowDownWrite"), Code(rawValue: "Throttling"),
            Code(rawValue: "ThrottlingException"), Code(rawValue: "RequestThrottled"),
            Code(rawValue: "TooManyRequestsException"), Code(rawValue: "XMinioServerNotInitialized"):
            true
        default:
            httpStatus.map { [429, 500, 502, 503, 504].contains($0) } ?? false
        }
    }

    /// Whether the server rejected how the request was signed: a signature mismatch, a malformed
    /// authorization header or query, a clock too far off, or a payload hash that does not match the
    /// body. Unknown access keys and expired credentials are not counted.
    public var isSignatureError: Bool {
        switch code {
        case .signatureDoesNotMatch, .authorizationHeaderMalformed, .authorizationQueryParametersError,
            .requestTimeTooSkewed, .xAmzContentSHA256Mismatch, Code(rawValue: "IncompleteSignature"):
            true
        default:
            false
        }
    }

    /// Whether the credentials or the presigned URL have expired: `ExpiredToken`, or `AccessDenied`
    /// with the message "Request has expired" that S3, SeaweedFS and MinIO give for an expired
    /// presigned URL.
    public var isExpired: Bool {
        switch code {
        case .expiredToken, Code(rawValue: "TokenRefreshRequired"): true
        case .accessDenied: message.lowercased().contains("request has expired")
        default: false
        }
    }

    public var description: String {
        var text = "S3 error \(code)"
        if let httpStatus { text += " (HTTP \(httpStatus))" }
        if let operation { text += " from \(operation)" }
        if let bucket {
            text += " on \(bucket)"
            if let key { text += "/\(key)" }
        } else if let key {
            text += " on key \(key)"
        }
        text += ": \(message)"
        if let requestID { text += " [request \(requestID)]" }
        return text
    }

    // MARK: Helpers

    /// The code that describes a status when no error document names one.
    static func code(forStatus status: Int) -> Code {
        switch status {
        case 301: .permanentRedirect
        case 304: .notModified
        case 307: .temporaryRedirect
        case 400: .badRequest
        case 403: .forbidden
        case 404: .notFound
        case 405: .methodNotAllowed
        case 409: .conflict
        case 411: .missingContentLength
        case 412: .preconditionFailed
        case 416: .invalidRange
        case 500: .internalError
        case 501: .notImplemented
        case 503: .serviceUnavailable
        default: .unknown
        }
    }

    static func statusText(_ status: Int) -> String {
        let reasons = [
            301: "Moved Permanently", 304: "Not Modified", 307: "Temporary Redirect", 400: "Bad Request",
            401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 409: "Conflict",
            411: "Length Required", 412: "Precondition Failed", 416: "Range Not Satisfiable",
            429: "Too Many Requests", 500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
            503: "Service Unavailable", 504: "Gateway Timeout",
        ]
        return reasons[status].map { "HTTP \(status) \($0)" } ?? "HTTP \(status)"
    }

    /// The first ``rawBodyLimit`` bytes of `body` as text, cut on a character boundary, with secrets
    /// masked; `""` for a blank body.
    static func rawText(of body: Data) -> String {
        var prefix = body.prefix(rawBodyLimit)
        if body.count > rawBodyLimit {
            // Drop a UTF-8 sequence cut in two: find the last lead byte and keep it only if complete.
            var lead = prefix.endIndex
            while lead > prefix.startIndex, prefix[lead - 1] & 0xC0 == 0x80 { lead -= 1 }
            if lead > prefix.startIndex {
                let byte = prefix[lead - 1]
                let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
                if prefix.endIndex - (lead - 1) < length { prefix = prefix[..<(lead - 1)] }
            }
        }
        let text = String(decoding: prefix, as: UTF8.self)
        guard !text.allSatisfy({ $0.isWhitespace }) else { return "" }
        return S3SecretMasking.masking(text)
    }
}

extension Optional where Wrapped == String {
    /// The string, or `nil` when it is absent or empty.
    fileprivate var nonEmpty: String? {
        switch self {
        case .some(let value) where !value.isEmpty: value
        default: nil
        }
    }
}
