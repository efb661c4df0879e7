import MLOpsCore
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A transfer that failed on this side of the wire: a local file that cannot be read or written, bytes
/// that do not match their checksum, an object that changed while it was read, or arguments that
/// cannot work.
public struct S3TransferError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String
        /// A local file or directory could not be read.
        public static let cannotRead = Code(name: "cannot read local file")
        /// A local file could not be written, created or moved into place.
        public static let cannotWrite = Code(name: "cannot write local file")
        /// The bytes received or stored do not match their MD5 (the ETag or a part's checksum).
        public static let checksumMismatch = Code(name: "checksum mismatch")
        /// The object's size or ETag changed between the requests that read it.
        public static let objectChanged = Code(name: "object changed during transfer")
        /// The server answered in a way the protocol does not allow (a missing ETag or upload ID, a
        /// range that is not the one asked for).
        public static let unexpectedResponse = Code(name: "unexpected response")
        /// An argument cannot work: a part size below 5 MiB, more than 10,000 parts, an empty key.
        public static let invalidArgument = Code(name: "invalid argument")
        public var description: String { name }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What was wrong, naming the file, bucket or key concerned.
    public var detail: String

    /// An error from its parts.
    public init(code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "\(code): \(detail)" }

    static func cannotRead(_ file: URL, reason: String) -> S3TransferError {
        S3TransferError(code: .cannotRead, detail: "\(file.path): \(reason)")
    }

    static func cannotWrite(_ file: URL, reason: String) -> S3TransferError {
        S3TransferError(code: .cannotWrite, detail: "\(file.path): \(reason)")
    }

    /// The text of the C library's current `errno`.
    static var systemError: String { String(cString: strerror(errno)) }
}
