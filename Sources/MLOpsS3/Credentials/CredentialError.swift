import MLOpsCore

/// Credentials that could not be found or read.
///
/// It names the source (a variable, a file and line, a profile) and, when no source had credentials,
/// every source tried. Its text never contains a secret access key, a session token, or any value read
/// from a credentials file.
public struct CredentialError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Base: String, Hashable, Sendable {
            case notFound = "no AWS credentials found"
            case incomplete = "incomplete AWS credentials"
            case unreadableFile = "credentials file could not be read"
            case malformedFile = "malformed credentials file"
            case profileNotFound = "profile not found"
        }

        fileprivate let base: Base

        /// The source (or, from a chain, every source) had no credentials. A chain moves on to its next
        /// provider only after this code.
        public static let notFound = Code(base: .notFound)
        /// An access key id without its secret, or a secret without its key id.
        public static let incomplete = Code(base: .incomplete)
        /// The credentials file exists but is not readable or not UTF-8.
        public static let unreadableFile = Code(base: .unreadableFile)
        /// A line of the credentials file is neither a `[profile]` header, a `key = value` property, a
        /// comment nor blank.
        public static let malformedFile = Code(base: .malformedFile)
        /// The profile asked for (by `AWS_PROFILE` or by name) is not in the credentials file.
        public static let profileNotFound = Code(base: .profileNotFound)

        /// The code as words, such as `no AWS credentials found`.
        public var description: String { base.rawValue }
    }

    /// What was wrong.
    public var code: Code
    /// The source concerned, such as `environment` or `shared credentials file /home/me/.aws/credentials`;
    /// `nil` for a chain's ``Code/notFound``.
    public var source: String?
    /// The credentials file, when one is concerned.
    public var path: String?
    /// The 1-based line of the credentials file, when one is concerned.
    public var line: Int?
    /// The profile, when one is concerned.
    public var profile: String?
    /// For ``Code/notFound`` from a chain: each source tried, with why it had nothing.
    public var sourcesTried: [String]
    /// More about the problem, for people. Never contains a value from a credentials file.
    public var detail: String

    /// Creates an error.
    public init(
        code: Code, source: String? = nil, path: String? = nil, line: Int? = nil, profile: String? = nil,
        sourcesTried: [String] = [], detail: String = ""
    ) {
        self.code = code
        self.source = source
        self.path = path
        self.line = line
        self.profile = profile
        self.sourcesTried = sourcesTried
        self.detail = detail
    }

    /// One line, such as `no AWS credentials found; tried: environment (AWS_ACCESS_KEY_ID and
    /// AWS_SECRET_ACCESS_KEY not set), shared credentials file /home/me/.aws/credentials (no such file)` or
    /// `/home/me/.aws/credentials:7: malformed credentials file (profile 'dev'): expected key = value`.
    public var description: String {
        var text: String
        if let path, let line {
            text = "\(path):\(line): \(code)"
        } else if let source {
            text = "\(source): \(code)"
        } else {
            text = "\(code)"
        }
        if let profile { text += " (profile '\(profile)')" }
        if !detail.isEmpty { text += ": \(detail)" }
        if !sourcesTried.isEmpty { text += "; tried: " + sourcesTried.joined(separator: ", ") }
        return text
    }

    /// A ``Code/notFound`` error of one source, with the reason it had nothing.
    static func notFound(source: String, reason: String) -> CredentialError {
        CredentialError(code: .notFound, source: source, sourcesTried: ["\(source) (\(reason))"], detail: reason)
    }
}
