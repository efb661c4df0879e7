import MLOpsCore

/// The pages of a ListObjectsV2 listing, fetched one at a time as iteration reaches them.
///
/// ```swift
/// for try await page in client.listObjectPages(bucket: "mlflow", prefix: "1/", delimiter: "/") {
///     print(page.commonPrefixes)   // the "directories" one level down
/// }
/// ```
///
/// Each iteration starts again from the first page. A continuation token the server already returned
/// ends the iteration with an error instead of looping.
public struct S3ObjectPages: AsyncSequence, Sendable {
    public typealias Element = ListObjectsV2Page

    let client: S3Client
    let bucket: String
    let query: [(name: String, value: String)]

    public func makeAsyncIterator() -> Iterator {
        Iterator(sequence: self)
    }

    /// Fetches pages in order.
    public struct Iterator: AsyncIteratorProtocol {
        let sequence: S3ObjectPages
        var token: String?
        var finished = false
        var tokensSeen: Set<String> = []

        init(sequence: S3ObjectPages) {
            self.sequence = sequence
        }

        public mutating func next() async throws -> ListObjectsV2Page? {
            guard !finished else { return nil }
            var query = sequence.query
            if let token { query.append(("continuation-token", token)) }
            let bucket = sequence.bucket
            let page = try await sequence.client.perform(
                S3Request("ListObjectsV2", .get, bucket: bucket, query: query),
                decoding: { try ListObjectsV2Page.decode(xml: $0) })
            if page.isTruncated, let next = page.nextContinuationToken, !next.isEmpty {
                guard tokensSeen.insert(next).inserted else {
                    finished = true
                    throw S3TransferError(
                        code: .unexpectedResponse, detail: "ListObjectsV2 on \(bucket) returned a continuation token twice")
                }
                token = next
            } else {
                finished = true
            }
            return page
        }
    }
}

/// Every object of a ListObjectsV2 listing, across all pages, in key order.
///
/// ```swift
/// for try await object in client.listObjects(bucket: "mlflow", prefix: "1/abc/artifacts/") {
///     print(object.key, object.size)
/// }
/// ```
public struct S3ObjectListing: AsyncSequence, Sendable {
    public typealias Element = S3Object

    let pages: S3ObjectPages

    public func makeAsyncIterator() -> Iterator {
        Iterator(pages: pages.makeAsyncIterator())
    }

    /// Every object, read into an array.
    public func collect() async throws -> [S3Object] {
        var objects: [S3Object] = []
        for try await object in self { objects.append(object) }
        return objects
    }

    /// Hands out the objects of one page, then fetches the next.
    public struct Iterator: AsyncIteratorProtocol {
        var pages: S3ObjectPages.Iterator
        var buffer: [S3Object] = []
        var index = 0

        public mutating func next() async throws -> S3Object? {
            while index >= buffer.count {
                guard let page = try await pages.next() else { return nil }
                buffer = page.objects
                index = 0
            }
            defer { index += 1 }
            return buffer[index]
        }
    }
}

extension S3Client {
    /// Every page of the objects under `prefix` (ListObjectsV2), with `max-keys` sent explicitly and keys
    /// URL-encoded on the wire (`encoding-type=url`) so any key survives the XML.
    ///
    /// - Parameters:
    ///   - prefix: Only keys starting with it.
    ///   - delimiter: Rolls keys containing it after the prefix up into ``ListObjectsV2Page/commonPrefixes``.
    ///   - startAfter: Only keys after it.
    ///   - pageSize: Keys per request, 1–1,000; ``Configuration/listPageSize`` by default.
    public func listObjectPages(
        bucket: String, prefix: String? = nil, delimiter: String? = nil, startAfter: String? = nil, pageSize: Int? = nil
    ) -> S3ObjectPages {
        var query: [(name: String, value: String)] = [("list-type", "2")]
        if let prefix, !prefix.isEmpty { query.append(("prefix", prefix)) }
        if let delimiter, !delimiter.isEmpty { query.append(("delimiter", delimiter)) }
        if let startAfter, !startAfter.isEmpty { query.append(("start-after", startAfter)) }
        query.append(("max-keys", String(min(1000, max(1, pageSize ?? configuration.listPageSize)))))
        query.append(("encoding-type", "url"))
        return S3ObjectPages(client: self, bucket: bucket, query: query)
    }

    /// Every object under `prefix`, across all pages (ListObjectsV2). See
    /// ``listObjectPages(bucket:prefix:delimiter:startAfter:pageSize:)``.
    public func listObjects(
        bucket: String, prefix: String? = nil, delimiter: String? = nil, startAfter: String? = nil, pageSize: Int? = nil
    ) -> S3ObjectListing {
        S3ObjectListing(
            pages: listObjectPages(
                bucket: bucket, prefix: prefix, delimiter: delimiter, startAfter: startAfter, pageSize: pageSize))
    }
}
