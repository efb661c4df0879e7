import MLOpsCore

/// One page of ListParts (the `<ListPartsResult>` document).
public struct ListPartsPage: Sendable, Hashable {
    /// The bucket's name.
    public var bucketName: String?
    /// The key of the upload.
    public var key: String?
    /// The upload's ID.
    public var uploadID: String?
    /// The part-number marker of the request, echoed.
    public var partNumberMarker: Int?
    /// The part-number marker for the next page, when ``isTruncated``.
    public var nextPartNumberMarker: Int?
    /// The page size the server applied.
    public var maxParts: Int?
    /// Whether more parts follow this page.
    public var isTruncated: Bool
    /// The parts on this page, by part number.
    public var parts: [UploadedPart]
    /// The storage class the object will have.
    public var storageClass: String?
    /// The owner of the object to be.
    public var owner: S3Owner?
    /// Who started the upload.
    public var initiator: S3Owner?

    /// Creates a page.
    public init(
        bucketName: String? = nil,
        key: String? = nil,
        uploadID: String? = nil,
        partNumberMarker: Int? = nil,
        nextPartNumberMarker: Int? = nil,
        maxParts: Int? = nil,
        isTruncated: Bool = false,
        parts: [UploadedPart] = [],
        storageClass: String? = nil,
        owner: S3Owner? = nil,
        initiator: S3Owner? = nil
    ) {
        self.bucketName = bucketName
        self.key = key
        self.uploadID = uploadID
        self.partNumberMarker = partNumberMarker
        self.nextPartNumberMarker = nextPartNumberMarker
        self.maxParts = maxParts
        self.isTruncated = isTruncated
        self.parts = parts
        self.storageClass = storageClass
        self.owner = owner
        self.initiator = initiator
    }
}
