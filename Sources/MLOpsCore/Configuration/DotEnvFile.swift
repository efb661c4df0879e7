#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The contents of a `.env` file in the format the original Docker Compose stack uses.
///
/// The format:
///
/// ```sh
/// # A full-line comment; blank lines are ignored.
/// MLFLOW_TRACKING_URI=http://mlflow:5000
/// export MLFLOW_MODEL_NAME=iris_classifier   # `export ` is allowed; so is an inline comment
/// MLFLOW_SERVE_ALIASES = Production,Test     # spaces around `=` are trimmed
/// GREETING="two\nlines and a \"quote\""      # double quotes: escapes and references
/// LITERAL='no ${EXPANSION} and no \n escape' # single quotes: taken as written
/// AWS_ACCESS_KEY_ID=${MINIO_ROOT_USER}       # a reference to an earlier key or the environment
/// REGION=${AWS_REGION:-us-east-1}            # with a default when unset or empty
/// ```
///
/// - Keys match `[A-Za-z_][A-Za-z0-9_]*`. A key given twice keeps its last value.
/// - Unquoted values end at the end of the line or at a `#` preceded by a space or tab; surrounding
///   whitespace is trimmed. A `#` inside a word (`a#b`) belongs to the value. Backslashes are literal.
/// - Double-quoted values understand `\n`, `\r`, `\t`, `\"`, `\\` and `\$` (a literal `$`); any other
///   backslash is kept. Quoted values may span lines.
/// - `${NAME}` expands to the process environment's `NAME` if it is set, otherwise to the value `NAME`
///   was given earlier in the file, otherwise to the empty string. The environment wins so that expansion
///   agrees with the loader's layering, where the environment overrides the file (python-dotenv does the
///   same). `${NAME:-default}` uses `default` when `NAME` is unset or empty, `${NAME-default}` only when
///   it is unset; defaults may contain references. References expand in unquoted and double-quoted values,
///   never in single-quoted ones. A `$` not followed by `{` is literal (`$NAME` is not expanded).
///
/// Anything else — a line without `=`, an invalid key, an unterminated quote, text after a closing quote
/// — throws a ``DotEnvError`` naming the file and line.
public struct DotEnvFile: Sendable, Hashable {
    /// One `KEY=value` assignment, in file order.
    public struct Entry: Sendable, Hashable {
        /// The key.
        public var key: String
        /// The value after unquoting, unescaping and expanding references.
        public var value: String
        /// The 1-based line the assignment starts on.
        public var line: Int

        /// Creates an entry.
        public init(key: String, value: String, line: Int) {
            self.key = key
            self.value = value
            self.line = line
        }
    }

    /// The file the text came from, or `nil` when it was given as a string.
    public let path: String?
    /// Every assignment in file order, repeated keys included.
    public let entries: [Entry]
    /// The final value of every key (a repeated key keeps its last value).
    public let values: [String: String]

    /// Reads and parses the file at `path`.
    ///
    /// - Parameters:
    ///   - path: The file to read; it must be UTF-8.
    ///   - environment: Where `${NAME}` references look first.
    /// - Throws: ``DotEnvError``.
    public init(
        contentsOfFile path: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(DotEnvError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "not readable" : "no such file"
            throw DotEnvError(code: .unreadableFile, path: path, line: nil, detail: reason)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DotEnvError(code: .unreadableFile, path: path, line: nil, detail: "not UTF-8 text")
        }
        try self.init(parsing: text, path: path, environment: environment)
    }

    /// Parses `.env` text.
    ///
    /// - Parameters:
    ///   - text: The file's contents.
    ///   - path: The file name errors should mention, if any.
    ///   - environment: Where `${NAME}` references look first.
    /// - Throws: ``DotEnvError``.
    public init(
        parsing text: String,
        path: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(DotEnvError) {
        var parser = DotEnvParser(text: text, path: path, environment: environment)
        try parser.parse()
        self.path = path
        self.entries = parser.entries
        self.values = parser.values
    }

    /// The final value of `key`, or `nil` if the file does not set it.
    public subscript(key: String) -> String? {
        values[key]
    }

    /// Whether `name` is a valid key: `[A-Za-z_][A-Za-z0-9_]*`.
    public static func isValidKey(_ name: some StringProtocol) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || isASCIILetter(first) else { return false }
        return name.unicodeScalars.allSatisfy(isKeyScalar)
    }

    static func isKeyScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || isASCIILetter(scalar) || ("0"..."9").contains(scalar)
    }

    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }
}

/// A one-pass scanner over the Unicode scalars of `.env` text.
private struct DotEnvParser {
    private let scalars: [Unicode.Scalar]
    private let path: String?
    private let environment: [String: String]
    private var index = 0
    private var line = 1
    private(set) var entries: [DotEnvFile.Entry] = []
    private(set) var values: [String: String] = [:]

    init(text: String, path: String?, environment: [String: String]) {
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        self.scalars = scalars
        self.path = path
        self.environment = environment
    }

    // MARK: Lines

    mutating func parse() throws(DotEnvError) {
        while !isAtEnd {
            skipInlineWhitespace()
            guard let scalar = peek() else { break }
            if isNewline(scalar) {
                consumeNewline()
            } else if scalar == "#" {
                skipToEndOfLine()
            } else {
                try parseAssignment()
            }
        }
    }

    private mutating func parseAssignment() throws(DotEnvError) {
        let startLine = line
        var key = readKeyToken()
        if key == "export", let next = peek(), isInlineWhitespace(next) {
            skipInlineWhitespace()
            key = readKeyToken()
        }
        skipInlineWhitespace()
        guard peek() == "=" else {
            let detail = key.isEmpty ? "the line does not start with a key" : ""
            throw error(.missingEquals, line: startLine, detail: detail)
        }
        guard DotEnvFile.isValidKey(key) else {
            throw error(.invalidKey, line: startLine, detail: "'\(key)' does not match [A-Za-z_][A-Za-z0-9_]*")
        }
        advance()  // "="
        let value = try parseValue(startLine: startLine)
        entries.append(DotEnvFile.Entry(key: key, value: value, line: startLine))
        values[key] = value
    }

    /// Reads up to `=`, whitespace or the end of the line.
    private mutating func readKeyToken() -> String {
        var key = String.UnicodeScalarView()
        while let scalar = peek(), scalar != "=", !isInlineWhitespace(scalar), !isNewline(scalar) {
            key.append(scalar)
            advance()
        }
        return String(key)
    }

    // MARK: Values

    private mutating func parseValue(startLine: Int) throws(DotEnvError) -> String {
        let hadWhitespace = skipInlineWhitespace()
        switch peek() {
        case "'":
            advance()
            let value = try readSingleQuoted(startLine: startLine)
            try finishQuotedLine()
            return value
        case "\"":
            advance()
            let value = try readDoubleQuoted(startLine: startLine)
            try finishQuotedLine()
            return value
        case "#" where hadWhitespace:
            skipToEndOfLine()
            return ""
        default:
            return try readUnquoted()
        }
    }

    private mutating func readSingleQuoted(startLine: Int) throws(DotEnvError) -> String {
        var value = String.UnicodeScalarView()
        while let scalar = peek() {
            if scalar == "'" {
                advance()
                return String(value)
            }
            appendAdvancing(scalar, to: &value)
        }
        throw error(.unterminatedQuote, line: startLine, detail: "missing closing '")
    }

    private mutating func readDoubleQuoted(startLine: Int) throws(DotEnvError) -> String {
        var value = String.UnicodeScalarView()
        while let scalar = peek() {
            switch scalar {
            case "\"":
                advance()
                return String(value)
            case "\\":
                advance()
                guard let escaped = peek() else { continue }
                switch escaped {
                case "n": value.append("\n")
                case "r": value.append("\r")
                case "t": value.append("\t")
                case "\"", "\\", "$": value.append(escaped)
                default:
                    value.append("\\")
                    appendAdvancing(escaped, to: &value)
                    continue
                }
                advance()
            case "$" where peek(offset: 1) == "{":
                value.append(contentsOf: try readReference(allowsNewlines: true).unicodeScalars)
            default:
                appendAdvancing(scalar, to: &value)
            }
        }
        throw error(.unterminatedQuote, line: startLine, detail: "missing closing \"")
    }

    private mutating func readUnquoted() throws(DotEnvError) -> String {
        var value = String.UnicodeScalarView()
        var previous: Unicode.Scalar?
        while let scalar = peek(), !isNewline(scalar) {
            if scalar == "#", let previous, isInlineWhitespace(previous) {
                skipToEndOfLine()
                break
            }
            if scalar == "$", peek(offset: 1) == "{" {
                value.append(contentsOf: try readReference(allowsNewlines: false).unicodeScalars)
                previous = "}"
                continue
            }
            value.append(scalar)
            previous = scalar
            advance()
        }
        while let last = value.last, isInlineWhitespace(last) { value.removeLast() }
        return String(value)
    }

    /// After a closing quote only whitespace and a `#` comment may follow on the line.
    private mutating func finishQuotedLine() throws(DotEnvError) {
        skipInlineWhitespace()
        guard let scalar = peek(), !isNewline(scalar) else { return }
        guard scalar == "#" else {
            throw error(.unexpectedCharacters, line: line, detail: "only a # comment may follow the closing quote")
        }
        skipToEndOfLine()
    }

    // MARK: References

    /// Reads `${NAME}`, `${NAME:-default}` or `${NAME-default}` starting at `$` and returns its expansion.
    private mutating func readReference(allowsNewlines: Bool) throws(DotEnvError) -> String {
        let startLine = line
        advance(by: 2)  // "${"
        var name = String.UnicodeScalarView()
        while let scalar = peek(), DotEnvFile.isKeyScalar(scalar) {
            name.append(scalar)
            advance()
        }
        let key = String(name)
        guard DotEnvFile.isValidKey(key) else {
            throw error(.invalidReference, line: startLine, detail: "a reference must name a key, as in ${NAME}")
        }
        let current = lookUp(key)
        switch peek() {
        case "}":
            advance()
            return current ?? ""
        case ":" where peek(offset: 1) == "-":
            advance(by: 2)
            let fallback = try readReferenceDefault(startLine: startLine, allowsNewlines: allowsNewlines)
            return current.flatMap { $0.isEmpty ? nil : $0 } ?? fallback
        case "-":
            advance()
            let fallback = try readReferenceDefault(startLine: startLine, allowsNewlines: allowsNewlines)
            return current ?? fallback
        case nil:
            throw error(.invalidReference, line: startLine, detail: "missing } in ${\(key)")
        default:
            throw error(
                .invalidReference, line: startLine,
                detail: "${\(key)...} supports only ${\(key)}, ${\(key):-default} and ${\(key)-default}"
            )
        }
    }

    /// Reads a reference's default up to its `}`, expanding nested references.
    private mutating func readReferenceDefault(startLine: Int, allowsNewlines: Bool) throws(DotEnvError) -> String {
        var value = String.UnicodeScalarView()
        while let scalar = peek() {
            if scalar == "}" {
                advance()
                return String(value)
            }
            if isNewline(scalar) && !allowsNewlines { break }
            if scalar == "$", peek(offset: 1) == "{" {
                value.append(contentsOf: try readReference(allowsNewlines: allowsNewlines).unicodeScalars)
                continue
            }
            appendAdvancing(scalar, to: &value)
        }
        throw error(.invalidReference, line: startLine, detail: "missing } after a default value")
    }

    private func lookUp(_ key: String) -> String? {
        environment[key] ?? values[key]
    }

    // MARK: Scanning

    private var isAtEnd: Bool { index >= scalars.count }

    private func peek(offset: Int = 0) -> Unicode.Scalar? {
        index + offset < scalars.count ? scalars[index + offset] : nil
    }

    private mutating func advance(by count: Int = 1) {
        index += count
    }

    /// Appends `scalar` and moves past it, counting lines. A `\r\n` pair is appended as one `\n`.
    private mutating func appendAdvancing(_ scalar: Unicode.Scalar, to value: inout String.UnicodeScalarView) {
        if scalar == "\r" && peek(offset: 1) == "\n" {
            advance()
            appendAdvancing("\n", to: &value)
            return
        }
        if isNewline(scalar) { line += 1 }
        value.append(scalar)
        advance()
    }

    @discardableResult
    private mutating func skipInlineWhitespace() -> Bool {
        let start = index
        while let scalar = peek(), isInlineWhitespace(scalar) { advance() }
        return index > start
    }

    private mutating func skipToEndOfLine() {
        while let scalar = peek(), !isNewline(scalar) { advance() }
    }

    private mutating func consumeNewline() {
        if peek() == "\r" && peek(offset: 1) == "\n" { advance() }
        advance()
        line += 1
    }

    private func isInlineWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t"
    }

    private func isNewline(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\n" || scalar == "\r"
    }

    private func error(_ code: DotEnvError.Code, line: Int, detail: String) -> DotEnvError {
        DotEnvError(code: code, path: path, line: line, detail: detail)
    }
}
