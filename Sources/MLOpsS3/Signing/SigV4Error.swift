import MLOpsCore

/// A request that cannot be signed as asked.
///
/// Its text names what was wrong and never contains a credential or a signature.
public struct SigV4Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Base: String, Hashable, Sendable {
            case invalidExpiry = "invalid presigned URL lifetime"
            case invalidURL = "URL cannot be presigned"
        }

        fileprivate let base: Base

        /// A presigned URL lifetime outside 1 second to 7 days, or not a whole number of seconds.
        public static let invalidExpiry = Code(base: .invalidExpiry)
        /// A URL without a scheme or host, so no `host` header can be signed.
        public static let invalidURL = Code(base: .invalidURL)

        /// The code as words, such as `invalid presigned URL lifetime`.
        public var description: String { base.rawValue }
    }

    /// What was wrong.
    public var code: Code
    /// More about the problem, for people.
    public var detail: String

    /// Creates an error.
    public init(code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }

    /// `invalid presigned URL lifetime: 0 seconds; expected 1 to 604800 seconds (7 days)`.
    public var description: String { detail.isEmpty ? "\(code)" : "\(code): \(detail)" }
}
