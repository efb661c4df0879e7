import MLOpsCore
import Logging

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A client of Amazon S3 and S3-compatible servers (MinIO, SeaweedFS, the JuiceFS gateway, …).
///
/// ```swift
/// let client = S3Client(
///     endpoint: try S3Endpoint(environment: ProcessInfo.processInfo.environment),
///     credentials: CredentialProviderChain.standard())
/// try await client.uploadFile(at: modelFile, bucket: "mlflow", key: "models/iris/model.pkl")
/// for try await object in client.listObjects(bucket: "mlflow", prefix: "models/") {
///     print(object.key, object.size)
/// }
/// ```
///
/// Every request is signed with AWS Signature Version 4 just before it is sent (each retry is signed
/// again, with fresh credentials from the provider), always carries `x-amz-content-sha256`, and every
/// body it sends carries a checksum the server verifies (`Content-MD5`, or on multipart parts the signed
/// SHA-256 and `x-amz-checksum-crc32c`), so the server refuses bytes that changed on the way. Failed
/// requests are retried when S3 says they may be (``S3Error/isRetryable``) or the connection failed
/// in a way that is safe to repeat, with exponential backoff from ``Configuration/retryPolicy``.
///
/// Transfers never leave half-written results: downloads go to a temporary file that is renamed into
/// place only after the bytes are complete and verified, and a multipart upload that fails or is
/// cancelled is aborted so no parts stay stored on the server.
///
/// Errors: ``S3Error`` for what the server refused, ``HTTPTransportError`` when it could not be
/// reached, ``S3TransferError`` for local files and integrity checks, ``CredentialError`` when no
/// credentials could be found, and `CancellationError`.
public struct S3Client: Sendable {
    /// How the client transfers and retries. The defaults suit a local MinIO as well as AWS.
    public struct Configuration: Sendable, Hashable {
        /// Files at least this large are uploaded in parts, and objects at least this large are
        /// downloaded in parallel ranges. 16 MiB by default.
        public var multipartThreshold: Int64 = 16 << 20
        /// The size of each part or range, 8 MiB by default. Parts other than the last must be at least
        /// 5 MiB (S3's minimum); an upload that would need more than 10,000 parts uses larger ones.
        public var partSize: Int64 = 8 << 20
        /// Parts or ranges in flight at once for one transfer. 8 by default.
        public var concurrency: Int = 8
        /// How many keys each ListObjectsV2 request asks for (`max-keys`, 1–1,000).
        public var listPageSize: Int = 1000
        /// Whether request bodies are covered by the signature (their SHA-256 in
        /// `x-amz-content-sha256`). ``PayloadSigning/automatic`` signs them over plain HTTP, where
        /// nothing else protects them, and sends `UNSIGNED-PAYLOAD` over HTTPS, as the AWS SDKs do.
        public var payloadSigning: PayloadSigning = .automatic
        /// Whether downloads of whole objects are checked against the object's MD5 ETag when it has
        /// one (objects uploaded in one piece without server-side encryption by KMS).
        public var verifiesDownloads: Bool = true
        /// When and how often failed requests are retried.
        public var retryPolicy: RetryPolicy = RetryPolicy(maximumAttempts: 4, budget: .seconds(60))
        /// The largest response ``S3Client/getObject(bucket:key:range:)`` reads into memory: 256 MiB.
        public var maximumInMemoryObjectSize: Int = 256 << 20

        /// The defaults.
        public init() {}
    }

    /// Whether request bodies are covered by the signature.
    public enum PayloadSigning: String, Sendable, Hashable, CaseIterable {
        /// Signed over HTTP, unsigned over HTTPS.
        case automatic
        /// Always hash and sign the body.
        case signed
        /// Never: send `UNSIGNED-PAYLOAD` (the body is still checked against its `Content-MD5` or
        /// `x-amz-checksum-crc32c`).
        case unsigned
    }

    /// Where requests go and how bucket names are addressed.
    public let endpoint: S3Endpoint
    /// Where each request's credentials come from.
    public let credentialProvider: any CredentialProvider
    /// What sends the signed requests. The client does its own retries, so hand it a plain transport.
    public let transport: any HTTPTransport
    /// How the client transfers and retries.
    public let configuration: Configuration
    let logger: Logger

    /// A client of `endpoint`.
    ///
    /// - Parameters:
    ///   - endpoint: Where requests go, for example ``S3Endpoint/init(environment:)``.
    ///   - credentials: Where credentials come from, for example ``CredentialProviderChain/standard(environment:)``.
    ///   - transport: What sends the requests; libcurl by default.
    ///   - configuration: Part sizes, concurrency and retries.
    ///   - logger: Receives one debug line per retry; never a credential, signature or presigned URL.
    public init(
        endpoint: S3Endpoint,
        credentials: any CredentialProvider,
        transport: any HTTPTransport = CurlTransport(),
        configuration: Configuration = Configuration(),
        logger: Logger = .disabled
    ) {
        self.endpoint = endpoint
        self.credentialProvider = credentials
        self.transport = transport
        self.configuration = configuration
        self.logger = logger
    }

    /// Whether this client signs the SHA-256 of request bodies.
    var signsPayloads: Bool {
        switch configuration.payloadSigning {
        case .signed: true
        case .unsigned: false
        case .automatic: endpoint.baseURL.scheme?.lowercased() != "https"
        }
    }
}
