import MLOpsCore

/// A response body that could not be read as the S3 XML document that was expected.
///
/// Thrown for hostile or broken input (too large, too deeply nested, carrying a DTD or entity
/// declarations, not well-formed XML) and for documents that parse but do not have the expected shape
/// (wrong root element, a required element missing, a number or date that does not parse).
///
/// The ``detail`` holds element names, offsets and libxml2's message with its line and column; it
/// never quotes the text inside elements.
public struct S3XMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Base: String, Hashable, Sendable {
            case documentTooLarge = "document too large"
            case nestingTooDeep = "elements nested too deeply"
            case declarationRefused = "DTD or entity declaration refused"
            case malformed = "malformed XML"
            case unexpectedDocument = "unexpected document"
            case missingElement = "missing element"
            case invalidValue = "invalid value"
        }

        fileprivate let base: Base

        /// The body is larger than the decoder accepts; it was not parsed.
        public static let documentTooLarge = Code(base: .documentTooLarge)
        /// Elements are nested deeper than any S3 document needs.
        public static let nestingTooDeep = Code(base: .nestingTooDeep)
        /// The body contains a `<!DOCTYPE …>` or another markup declaration. S3 never sends one, and
        /// refusing them rules out external entities and entity-expansion attacks.
        public static let declarationRefused = Code(base: .declarationRefused)
        /// The body is not well-formed XML: truncated, mismatched tags, not XML at all, or empty.
        public static let malformed = Code(base: .malformed)
        /// The root element is not the one this response should have.
        public static let unexpectedDocument = Code(base: .unexpectedDocument)
        /// An element the response cannot do without is absent.
        public static let missingElement = Code(base: .missingElement)
        /// An element's text is not a valid number, boolean, timestamp or URL-encoded string.
        public static let invalidValue = Code(base: .invalidValue)

        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What went wrong, for people: an element path or a libxml2 message with its line.
    public var detail: String
    /// The document being decoded, named by its expected root element, such as `"ListBucketResult"`.
    public var document: String?

    /// Creates an error.
    public init(code: Code, detail: String, document: String? = nil) {
        self.code = code
        self.detail = detail
        self.document = document
    }

    public var description: String {
        var text = "S3 XML \(code)"
        if let document { text += " in \(document)" }
        if !detail.isEmpty { text += ": \(detail)" }
        return text
    }
}
