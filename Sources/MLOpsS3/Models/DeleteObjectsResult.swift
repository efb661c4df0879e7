import MLOpsCore

/// The result of DeleteObjects (the `<DeleteResult>` document): the keys deleted and the keys that
/// failed, each with its own error.
///
/// A request is only fully successful when ``failures`` is empty; the HTTP status is 200 either way.
/// In quiet mode the server lists failures only.
public struct DeleteObjectsResult: Sendable, Hashable {
    /// A key the server deleted (or found already absent, which S3 also reports as deleted).
    public struct Deleted: Sendable, Hashable {
        /// The key.
        public var key: String
        /// The version deleted, for a versioned bucket.
        public var versionID: String?
        /// Whether a delete marker was created or deleted.
        public var deleteMarker: Bool?
        /// The version ID of that delete marker.
        public var deleteMarkerVersionID: String?

        /// Creates an entry.
        public init(key: String, versionID: String? = nil, deleteMarker: Bool? = nil, deleteMarkerVersionID: String? = nil) {
            self.key = key
            self.versionID = versionID
            self.deleteMarker = deleteMarker
            self.deleteMarkerVersionID = deleteMarkerVersionID
        }
    }

    /// A key the server could not delete.
    public struct Failure: Sendable, Hashable {
        /// The key.
        public var key: String
        /// The version that was to be deleted.
        public var versionID: String?
        /// Why, as an S3 error code such as `AccessDenied`.
        public var code: S3Error.Code
        /// The server's explanation.
        public var message: String

        /// Creates an entry.
        public init(key: String, versionID: String? = nil, code: S3Error.Code, message: String) {
            self.key = key
            self.versionID = versionID
            self.code = code
            self.message = message
        }
    }

    /// The keys deleted. Entries the server sent without a key (a known quirk of some MinIO-derived
    /// gateways) are left out, so this may be shorter than the request.
    public var deleted: [Deleted]
    /// The keys that could not be deleted.
    public var failures: [Failure]

    /// Creates a result.
    public init(deleted: [Deleted] = [], failures: [Failure] = []) {
        self.deleted = deleted
        self.failures = failures
    }

    /// The deleted keys alone.
    public var deletedKeys: [String] { deleted.map(\.key) }
}
