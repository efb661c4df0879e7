import MLOpsCore
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An object's content as a sequence of chunks, each fetched by a ranged GET when iteration reaches
/// it, so memory stays at one chunk whatever the object's size.
///
/// ```swift
/// for try await chunk in client.objectContents(bucket: "mlflow", key: "datasets/train.csv") {
///     parser.feed(chunk)
/// }
/// ```
///
/// Every chunk after the first is pinned to the first one's ETag (`If-Match`): an object replaced
/// during iteration ends it with ``S3TransferError/Code/objectChanged`` rather than mixing versions.
public struct S3ObjectContents: AsyncSequence, Sendable {
    public typealias Element = Data

    let client: S3Client
    let bucket: String
    let key: String
    let chunkSize: Int64

    public func makeAsyncIterator() -> Iterator {
        Iterator(contents: self)
    }

    /// Fetches chunks in order.
    public struct Iterator: AsyncIteratorProtocol {
        let contents: S3ObjectContents
        var offset: Int64 = 0
        var size: Int64?
        var eTag: String?

        init(contents: S3ObjectContents) {
            self.contents = contents
        }

        public mutating func next() async throws -> Data? {
            if let size, offset >= size { return nil }
            let client = contents.client
            let end = offset + contents.chunkSize - 1
            var request = S3Request(
                "GetObject", .get, bucket: contents.bucket, key: contents.key, headers: ["Range": "bytes=\(offset)-\(end)"])
            if let eTag { request.headers["If-Match"] = "\"\(eTag)\"" }
            request.destination = .memory(limit: Int(contents.chunkSize) + 1)
            let response: TransportResponse
            do {
                response = try await client.perform(request)
            } catch let error as S3Error where error.code == .invalidRange && size == nil {
                // An empty object has no byte 0 to ask for.
                size = 0
                return nil
            } catch {
                size = offset  // end the sequence
                throw S3Client.objectChangedError(error, bucket: contents.bucket, key: contents.key)
            }
            let attributes = S3ObjectAttributes(key: contents.key, headers: response.headers)
            if size == nil {
                size = attributes.size
                eTag = attributes.eTag
            }
            if response.status == 200 {
                // The server sent the whole object despite the range.
                size = offset + Int64(response.body.count)
                return offset == 0 ? response.body : nil
            }
            guard !response.body.isEmpty else {
                size = offset
                throw S3TransferError(
                    code: .unexpectedResponse, detail: "\(contents.bucket)/\(contents.key): empty range at \(offset)")
            }
            offset += Int64(response.body.count)
            return response.body
        }
    }
}

extension S3Client {
    /// The object's content in chunks of `chunkSize` bytes (``Configuration/partSize`` by default), each
    /// fetched when iteration reaches it.
    public func objectContents(bucket: String, key: String, chunkSize: Int64? = nil) -> S3ObjectContents {
        S3ObjectContents(
            client: self, bucket: bucket, key: key, chunkSize: max(1, chunkSize ?? configuration.partSize))
    }

    /// A URL that lets anyone holding it make one kind of request on `key` without credentials until it
    /// expires: a GET to download (the default) or a PUT to upload.
    ///
    /// The URL is a bearer credential: hand it only to whom it is meant for, and log it only through
    /// ``Redaction``.
    ///
    /// - Parameters:
    ///   - method: The request the URL allows.
    ///   - expiresIn: 1 second to 7 days.
    ///   - date: The signing time, from which the lifetime counts.
    /// - Throws: ``SigV4Error`` for a lifetime out of range, ``CredentialError`` without credentials.
    public func presignedURL(
        _ method: TransportMethod = .get, bucket: String, key: String, expiresIn: Duration = .seconds(3600),
        date: Date = Date()
    ) async throws -> URL {
        try Self.validate(key: key)
        let credentials = try await credentialProvider.credentials()
        let signer = SigV4Signer(credentials: credentials, region: endpoint.region)
        return try signer.presign(method: method, url: url(bucket: bucket, key: key), expiresIn: expiresIn, date: date)
    }
}
