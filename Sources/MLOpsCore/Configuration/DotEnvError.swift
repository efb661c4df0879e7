/// A `.env` file that could not be read or parsed.
///
/// It names the file and the 1-based line. Its text never repeats a value from the file, so a secret on a
/// malformed line does not end up in a terminal or a log.
public struct DotEnvError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Base: String, Hashable, Sendable {
            case missingEquals = "expected KEY=value"
            case invalidKey = "invalid key"
            case unterminatedQuote = "unterminated quoted value"
            case unexpectedCharacters = "unexpected characters after a quoted value"
            case invalidReference = "invalid ${...} reference"
            case unreadableFile = "file could not be read"
        }

        fileprivate let base: Base

        /// A line that is neither blank, a comment nor `KEY=value`.
        public static let missingEquals = Code(base: .missingEquals)
        /// A key that does not match `[A-Za-z_][A-Za-z0-9_]*`.
        public static let invalidKey = Code(base: .invalidKey)
        /// A single- or double-quoted value without its closing quote.
        public static let unterminatedQuote = Code(base: .unterminatedQuote)
        /// Text after a closing quote that is not a `#` comment.
        public static let unexpectedCharacters = Code(base: .unexpectedCharacters)
        /// A `${` without its `}`, or a reference whose name or operator is not valid.
        public static let invalidReference = Code(base: .invalidReference)
        /// The file does not exist, is not readable or is not UTF-8.
        public static let unreadableFile = Code(base: .unreadableFile)

        public var description: String { base.rawValue }
    }

    /// What was wrong.
    public var code: Code
    /// The file, or `nil` when the text did not come from a file.
    public var path: String?
    /// The 1-based line the problem is on, or `nil` when the whole file is concerned.
    public var line: Int?
    /// More about the problem, for people. Never contains a value from the file.
    public var detail: String

    /// Creates an error.
    public init(code: Code, path: String?, line: Int?, detail: String = "") {
        self.code = code
        self.path = path
        self.line = line
        self.detail = detail
    }

    /// `path:line: problem (detail)`.
    public var description: String {
        var location = path ?? "<.env text>"
        if let line { location += ":\(line)" }
        return detail.isEmpty ? "\(location): \(code)" : "\(location): \(code): \(detail)"
    }
}
