import MLOpsCore
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What a signed request says about its body: the value of `x-amz-content-sha256` and the last line of
/// the canonical request.
public enum PayloadHash: Sendable, Hashable, CustomStringConvertible {
    /// The body is not covered by the signature (`UNSIGNED-PAYLOAD`). S3 accepts it for every operation;
    /// use it for large or streamed uploads over TLS, or when hashing the body first costs too much.
    case unsigned
    /// The request has no body: the SHA-256 of zero bytes.
    case emptyBody
    /// The SHA-256 of the body as 64 hex digits (written in lowercase whatever the case given).
    case sha256(String)

    /// The SHA-256 of `bytes`.
    public static func sha256(of bytes: some DataProtocol) -> PayloadHash {
        .sha256(SigV4Encoding.hex(Digest.hash(.sha256, bytes)))
    }

    /// The SHA-256 of zero bytes, in hex.
    public static let emptyBodySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The literal `UNSIGNED-PAYLOAD`.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    /// The text that goes into `x-amz-content-sha256` and the canonical request.
    public var value: String {
        switch self {
        case .unsigned: Self.unsignedPayload
        case .emptyBody: Self.emptyBodySHA256
        case .sha256(let hex): hex.lowercased()
        }
    }

    /// The same as ``value``.
    public var description: String { value }
}
