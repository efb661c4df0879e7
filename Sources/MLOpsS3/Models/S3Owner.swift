import MLOpsCore

/// The owner or initiator of a bucket, object or upload, as S3 lists it.
///
/// Many servers leave these fields empty or out (SeaweedFS and MinIO-derived gateways often do).
public struct S3Owner: Sendable, Hashable {
    /// The canonical user ID, or an ARN for an initiator.
    public var id: String?
    /// The display name, when the server sends one.
    public var displayName: String?

    /// Creates an owner.
    public init(id: String? = nil, displayName: String? = nil) {
        self.id = id
        self.displayName = displayName
    }
}
