import MLOpsCore
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One S3 operation as ``S3Client`` builds it, before it is addressed and signed.
struct S3Request: Sendable {
    /// The operation's name for errors, such as `"PutObject"`.
    var operation: String
    var method: TransportMethod
    /// The bucket, or `nil` for the service itself (ListBuckets).
    var bucket: String?
    /// The key, or `""` for the bucket.
    var key: String = ""
    /// Query parameters, unencoded, in order.
    var query: [(name: String, value: String)] = []
    var headers: TransportHeaders = [:]
    var body: S3RequestBody = .none
    var destination: TransportRequest.ResponseDestination = .memory
    /// Overrides the transport's total timeout: whole-object transfers take as long as they take (the
    /// transport's low-speed limit still ends a stalled one).
    var timeout: Duration?
    /// Whether sending it twice does no harm. S3 writes are idempotent (a key ends with the last body
    /// written); only POSTs that create something new say otherwise.
    var isIdempotent = true

    init(
        _ operation: String, _ method: TransportMethod, bucket: String?, key: String = "",
        query: [(name: String, value: String)] = [], headers: TransportHeaders = [:], body: S3RequestBody = .none
    ) {
        self.operation = operation
        self.method = method
        self.bucket = bucket
        self.key = key
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The error for a response outside 2xx.
    func error(for response: TransportResponse) -> S3Error {
        S3Error(
            status: response.status, headers: response.headers, body: response.body, operation: operation,
            bucket: bucket, key: key.isEmpty ? nil : key)
    }
}

/// A request body with the digests S3 checks it against.
struct S3RequestBody: Sendable {
    /// The bytes, as the transport sends them.
    var content: TransportRequest.Body
    /// The body's length in bytes.
    var length: Int64
    /// The body's digests: MD5 for `Content-MD5`, SHA-256 for the signed payload hash, CRC-32C for
    /// `x-amz-checksum-crc32c`.
    var digest: ContentDigest
    /// Whether the SHA-256 goes into the signature (`x-amz-content-sha256`) rather than `UNSIGNED-PAYLOAD`.
    var signsPayload: Bool

    static let none = S3RequestBody(content: .none, length: 0, digest: ContentDigest(), signsPayload: false)

    /// `data` with its MD5 and, when `signed`, its SHA-256.
    static func bytes(_ data: Data, signed: Bool) -> S3RequestBody {
        S3RequestBody(
            content: .bytes(data), length: Int64(data.count), digest: .of(data, sha256: signed), signsPayload: signed)
    }

    /// `length` bytes of `file` from `offset` with its MD5 and, when `signed`, its SHA-256. The file is
    /// read once now to compute the digests and again, from the page cache, as the transport sends it.
    static func fileRegion(_ file: URL, offset: Int64, length: Int64, signed: Bool) throws(S3TransferError)
        -> S3RequestBody
    {
        S3RequestBody(
            content: .fileRegion(file, offset: offset, length: length), length: length,
            digest: try .of(file: file, offset: offset, length: length, sha256: signed), signsPayload: signed)
    }

    /// One part of a multipart upload: its SHA-256 in the signature when `signed`, and its CRC-32C in
    /// `x-amz-checksum-crc32c` always; no MD5. Servers check one or the other: the payload hash (AWS,
    /// MinIO, the JuiceFS gateway) or the flexible checksum (AWS, SeaweedFS). Both cost the server and
    /// this side far less CPU than an MD5, which matters most when both share a machine.
    static func part(_ file: URL, offset: Int64, length: Int64, signed: Bool) throws(S3TransferError) -> S3RequestBody {
        S3RequestBody(
            content: .fileRegion(file, offset: offset, length: length), length: length,
            digest: try .of(file: file, offset: offset, length: length, md5: false, sha256: signed, crc32c: true),
            signsPayload: signed)
    }

    /// The body's MD5, base64-encoded, for `Content-MD5`.
    var contentMD5: String? { digest.md5Base64 }

    /// What `x-amz-content-sha256` says about this body.
    var payloadHash: PayloadHash {
        if case .none = content { return .emptyBody }
        guard signsPayload, let hex = digest.sha256Hex else { return .unsigned }
        return .sha256(hex)
    }
}
