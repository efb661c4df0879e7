import MLOpsCore
import Logging

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension S3Client {
    /// Signs and sends `request`, retrying what may be retried, and hands a successful response to
    /// `handle`.
    ///
    /// A response outside 2xx becomes an ``S3Error``. An ``S3Error`` thrown by `handle` (an `<Error>`
    /// inside a 200 response) is treated the same way, so a retryable one is retried. Each attempt is
    /// signed anew, with the current time and credentials.
    func perform<Result>(
        _ request: S3Request, _ handle: (TransportResponse) throws -> Result
    ) async throws -> Result {
        let policy = configuration.retryPolicy
        var generator = SystemRandomNumberGenerator()
        var waited = Duration.zero
        var attempt = 1
        while true {
            try Task.checkCancellation()
            let signed = try await signedRequest(for: request)
            let wait: Duration
            let reason: String
            do {
                let response = try await transport.send(signed)
                guard response.isSuccess else { throw request.error(for: response) }
                return try handle(response)
            } catch let error as S3Error {
                guard error.isRetryable, attempt < policy.maximumAttempts else { throw error }
                wait = policy.backoff(beforeRetry: attempt, using: &generator)
                guard waited + wait <= policy.budget else { throw error }
                reason = error.code.rawValue
            } catch var error as HTTPTransportError {
                error.attempts = attempt
                guard attempt < policy.maximumAttempts, policy.mayRetry(error, for: signed) else { throw error }
                wait = policy.backoff(beforeRetry: attempt, using: &generator)
                guard waited + wait <= policy.budget else { throw error }
                reason = "\(error.code)"
            }
            logger.debug(
                "retrying S3 request",
                metadata: [
                    "operation": "\(request.operation)", "bucket": "\(request.bucket ?? "")",
                    "key": "\(request.key)", "attempt": "\(attempt + 1)", "reason": "\(reason)",
                    "wait_ms": "\(wait.milliseconds)",
                ])
            try await Task.sleep(for: wait)
            waited += wait
            attempt += 1
        }
    }

    /// Sends `request` and returns the successful response.
    @discardableResult
    func perform(_ request: S3Request) async throws -> TransportResponse {
        try await perform(request) { $0 }
    }

    /// Sends `request` and decodes its XML body with `decoder`, turning an `<Error>` body into an
    /// ``S3Error``.
    func perform<Result>(_ request: S3Request, decoding decoder: @escaping (Data) throws -> Result) async throws -> Result {
        var request = request
        request.destination = .memory(limit: Self.maximumXMLResponseSize)
        return try await perform(request) { response in
            try S3ResponseDecoding.decode(
                response, operation: request.operation, bucket: request.bucket,
                key: request.key.isEmpty ? nil : request.key, decoder)
        }
    }

    /// `request` as an HTTP request, addressed and signed now.
    func signedRequest(for request: S3Request) async throws -> TransportRequest {
        let credentials = try await credentialProvider.credentials()
        var http = TransportRequest(
            method: request.method,
            url: url(bucket: request.bucket, key: request.key, query: request.query),
            headers: request.headers,
            body: request.body.content,
            responseDestination: request.destination,
            timeout: request.timeout,
            isIdempotent: request.isIdempotent,
            operationName: request.operation)
        if let md5 = request.body.contentMD5 { http.headers["Content-MD5"] = md5 }
        if let checksum = request.body.digest.crc32cBase64 { http.headers["x-amz-checksum-crc32c"] = checksum }
        let signer = SigV4Signer(credentials: credentials, region: endpoint.region)
        return signer.sign(http, payload: request.body.payloadHash, date: Date())
    }

    /// The URL of a bucket's key, or of the service when `bucket` is `nil`.
    func url(bucket: String?, key: String = "", query: [(name: String, value: String)] = []) -> URL {
        guard let bucket else {
            guard !query.isEmpty else { return URL(string: endpoint.baseURL.absoluteString + "/")! }
            let encoded = query.map { "\(SigV4Encoding.uriEncode($0.name))=\(SigV4Encoding.uriEncode($0.value))" }
            return URL(string: endpoint.baseURL.absoluteString + "/?" + encoded.joined(separator: "&"))!
        }
        return endpoint.url(bucket: bucket, key: key, query: query)
    }

    /// The largest XML response read: 16 MiB, ten times a page of 1,000 keys of the longest length S3
    /// allows. Anything larger is refused before it is parsed.
    static let maximumXMLResponseSize = 16 << 20

    /// A whole-object transfer's timeout: none but the transport's low-speed limit.
    static let transferTimeout: Duration = .seconds(7 * 24 * 3600)
}
