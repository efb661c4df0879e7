/// A configuration value that could not be used, or a `.env` file that was asked for but is missing.
///
/// It names the key, the value and the layer the value came from. The value is shown the way its key
/// allows (``ConfigurationKey/displayValue(for:)``): a secret is never repeated, a URL's password is masked.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Base: String, Hashable, Sendable {
            case invalidURL = "invalid URL"
            case invalidInteger = "invalid integer"
            case invalidNumber = "invalid number"
            case invalidBoolean = "invalid boolean"
            case outOfRange = "value out of range"
            case invalidChoice = "invalid value"
            case dotEnvFileNotFound = ".env file not found"
        }

        fileprivate let base: Base

        /// Not a URL, or not one with the scheme and host the key needs.
        public static let invalidURL = Code(base: .invalidURL)
        /// Not a whole decimal number.
        public static let invalidInteger = Code(base: .invalidInteger)
        /// Not a decimal number.
        public static let invalidNumber = Code(base: .invalidNumber)
        /// Not one of `true`, `false`, `1`, `0`, `yes`, `no` (in any case).
        public static let invalidBoolean = Code(base: .invalidBoolean)
        /// A number outside the key's range (a port outside 1–65535, a negative retry count…).
        public static let outOfRange = Code(base: .outOfRange)
        /// Not one of the words the key accepts (such as `docker`, `process` or `auto`), or not in the
        /// form it needs (such as `HOST:PORT`).
        public static let invalidChoice = Code(base: .invalidChoice)
        /// A `.env` file named explicitly does not exist.
        public static let dotEnvFileNotFound = Code(base: .dotEnvFileNotFound)

        public var description: String { base.rawValue }
    }

    /// What was wrong.
    public var code: Code
    /// The variable concerned, or `nil` for ``Code/dotEnvFileNotFound``.
    public var key: String?
    /// The offending value as it may be shown (masked for sensitive keys), or the missing file's path.
    public var displayValue: String
    /// Where the value came from, or `nil` for ``Code/dotEnvFileNotFound``.
    public var source: ConfigurationSource?
    /// What was expected, for people.
    public var detail: String

    /// Creates an error.
    public init(code: Code, key: String?, displayValue: String, source: ConfigurationSource?, detail: String = "") {
        self.code = code
        self.key = key
        self.displayValue = displayValue
        self.source = source
        self.detail = detail
    }

    /// An error about `value`, showing it only as its key allows.
    package init(_ code: Code, _ value: ConfigurationValue, expected detail: String) {
        self.init(
            code: code, key: value.key.name, displayValue: value.displayValue, source: value.source, detail: detail)
    }

    /// `invalid integer for MLFLOW_SERVE_PORT: 'abc' (from environment); expected …`.
    public var description: String {
        var text: String
        if let key {
            text = "\(code) for \(key): '\(displayValue)'"
            if let source { text += " (from \(source))" }
        } else {
            text = "\(code): \(displayValue)"
        }
        if !detail.isEmpty { text += "; \(detail)" }
        return text
    }
}
