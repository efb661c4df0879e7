import MLOpsCore
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension S3Client {
    /// Creates the bucket `name` (CreateBucket), in the endpoint's region.
    ///
    /// - Parameter ignoringExisting: When `true`, a bucket that already exists and belongs to the
    ///   caller is not an error, so the call can be repeated.
    /// - Throws: ``S3Error`` with ``S3Error/Code/bucketAlreadyOwnedByYou`` (unless ignored),
    ///   ``S3Error/Code/bucketAlreadyExists`` or ``S3Error/Code/invalidBucketName``.
    public func createBucket(_ name: String, ignoringExisting: Bool = false) async throws {
        var request = S3Request("CreateBucket", .put, bucket: name)
        if endpoint.region != S3Endpoint.defaultRegion, endpoint.addressingStyle == .virtualHosted {
            // AWS needs the region named for any region but us-east-1; other servers ignore it.
            request.body = .bytes(try S3RequestXML.createBucketConfiguration(region: endpoint.region), signed: signsPayloads)
            request.headers["Content-Type"] = "application/xml"
        }
        do {
            try await perform(request)
        } catch let error as S3Error where ignoringExisting && error.code == .bucketAlreadyOwnedByYou {
            return
        }
    }

    /// Whether the bucket exists and the credentials may use it (HeadBucket): `false` for a missing
    /// bucket; a bucket that exists but is not accessible throws ``S3Error`` (``S3Error/Code/forbidden``).
    public func bucketExists(_ name: String) async throws -> Bool {
        do {
            try await perform(S3Request("HeadBucket", .head, bucket: name))
            return true
        } catch let error as S3Error where error.isNotFound {
            return false
        }
    }

    /// Deletes the empty bucket `name` (DeleteBucket).
    ///
    /// - Throws: ``S3Error`` with ``S3Error/Code/bucketNotEmpty`` while it holds objects.
    public func deleteBucket(_ name: String) async throws {
        try await perform(S3Request("DeleteBucket", .delete, bucket: name))
    }

    /// Every bucket the credentials own (ListBuckets, following continuation tokens where the server
    /// pages them).
    public func listBuckets() async throws -> [S3Bucket] {
        var buckets: [S3Bucket] = []
        var token: String?
        var seen: Set<String> = []
        repeat {
            var query: [(name: String, value: String)] = []
            if let token { query.append(("continuation-token", token)) }
            let page = try await perform(
                S3Request("ListBuckets", .get, bucket: nil, query: query),
                decoding: { try ListBucketsPage.decode(xml: $0) })
            buckets += page.buckets
            token = page.continuationToken.flatMap { seen.insert($0).inserted ? $0 : nil }
        } while token != nil
        return buckets
    }
}
