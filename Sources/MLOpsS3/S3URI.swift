import MLOpsCore

/// An `s3://bucket/key` reference to an object, a key prefix, or a whole bucket.
///
/// ```swift
/// let uri = try S3URI(parsing: "s3://mlflow/1/abc/artifacts/model.pkl")
/// uri.bucket            // "mlflow"
/// uri.key               // "1/abc/artifacts/model.pkl"
/// uri.lastPathComponent // "model.pkl"
/// try S3URI(parsing: "s3://mlflow").key   // "" — the bucket itself
/// ```
///
/// The key is everything after the first `/` that follows the bucket, taken literally, as the AWS CLI
/// and MLflow's S3 artifact store do: `s3://b/a%20b` is the key `a%20b`, not `a b`, and spaces, `+`,
/// `?`, `#` and non-ASCII characters are part of the key. A key may be empty (the bucket's root) and may
/// end with `/` (a prefix that reads like a directory).
///
/// The bucket name is checked against what any S3 server can hold: 3 to 255 letters, digits, `.`, `-`
/// or `_`, starting and ending with a letter or a digit. That accepts the legacy names of old AWS
/// buckets (upper case, underscores, up to 255 characters); ``validateNewBucketName(_:)`` applies the
/// stricter rules that S3 imposes on buckets created today.
///
/// ``description`` renders `s3://bucket/key`, and parsing it gives the same value back.
public struct S3URI: Sendable, Hashable, CustomStringConvertible, LosslessStringConvertible {
    /// The bucket's name.
    public let bucket: String
    /// The object key or key prefix, possibly empty; never starts with the `/` that separates it from
    /// the bucket.
    public let key: String

    /// The longest key S3 accepts, in UTF-8 bytes.
    public static let maximumKeyLength = 1024

    /// A reference to `key` in `bucket`.
    ///
    /// - Throws: ``S3URIError`` when the bucket name is not valid or the key is longer than 1,024 bytes.
    public init(bucket: String, key: String = "") throws(S3URIError) {
        let input = key.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(key)"
        if let reason = Self.bucketNameProblem(bucket) { throw S3URIError(input: input, reason: reason) }
        if let reason = Self.keyProblem(key) { throw S3URIError(input: input, reason: reason) }
        self.bucket = bucket
        self.key = key
    }

    /// Parses `s3://bucket`, `s3://bucket/` or `s3://bucket/key`. The scheme may be written in any case.
    ///
    /// - Throws: ``S3URIError`` naming `text` and what is wrong with it.
    public init(parsing text: String) throws(S3URIError) {
        func fail(_ reason: String) -> S3URIError { S3URIError(input: text, reason: reason) }
        guard !text.isEmpty else { throw fail("it is empty") }
        // Split on bytes, not Characters: a `/` followed by a combining mark is one Character, and
        // the key `\u{301}x` must still be found after the slash that ``description`` puts before it.
        let bytes = Array(text.utf8)
        let scheme = Array("s3://".utf8)
        guard bytes.count >= scheme.count,
            zip(bytes, scheme).allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 + 32 == $1 : $0 == $1 })
        else {
            throw fail("it does not start with s3://")
        }
        let rest = bytes[scheme.count...]
        let slash = rest.firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
        let bucket = String(decoding: rest[..<slash], as: UTF8.self)
        let key = slash == rest.endIndex ? "" : String(decoding: rest[(slash + 1)...], as: UTF8.self)
        if let reason = Self.bucketNameProblem(bucket) { throw fail(reason) }
        if let reason = Self.keyProblem(key) { throw fail(reason) }
        self.bucket = bucket
        self.key = key
    }

    /// Parses `description`, or returns `nil` when it is not a valid S3 URI.
    public init?(_ description: String) {
        guard let uri = try? S3URI(parsing: description) else { return nil }
        self = uri
    }

    /// Whether `text` is meant as an S3 URI: it starts with `s3:` in any case. Such text that does not
    /// parse is a mistyped URI (`s3:/bucket`), not a local path.
    public static func looksLikeS3URI(_ text: String) -> Bool {
        text.prefix(3).lowercased() == "s3:"
    }

    /// `s3://bucket` when the key is empty, else `s3://bucket/key`.
    public var description: String {
        key.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(key)"
    }

    /// Whether the URI names the bucket itself (the key is empty).
    public var isBucket: Bool { key.isEmpty }

    /// Whether the key reads like a directory: empty, or ending with `/`.
    public var isDirectoryLike: Bool { key.isEmpty || key.hasSuffix("/") }

    /// The key's last `/`-separated component (`model.pkl` for `a/b/model.pkl`); for a key ending with
    /// `/`, the component before it; empty for the bucket itself.
    public var lastPathComponent: String {
        var key = Substring(key)
        if key.hasSuffix("/") { key = key.dropLast() }
        guard let slash = key.lastIndex(of: "/") else { return String(key) }
        return String(key[key.index(after: slash)...])
    }

    /// The key as a prefix for the keys "inside" it: the key followed by `/`, unless it is empty or
    /// already ends with `/`. `s3://b/data` gives `data/`, so `data-old/x` is not under it.
    public var directoryPrefix: String {
        isDirectoryLike ? key : key + "/"
    }

    /// This URI with `path` appended to the key, joined by exactly the `/` that ``directoryPrefix`` adds.
    ///
    /// - Throws: ``S3URIError`` when the resulting key is longer than 1,024 bytes.
    public func appending(_ path: String) throws(S3URIError) -> S3URI {
        try S3URI(bucket: bucket, key: directoryPrefix + path)
    }

    // MARK: Validation

    /// Checks `name` against S3's rules for naming a new general purpose bucket: 3 to 63 characters;
    /// only lower-case letters, digits, `.` and `-`; starting and ending with a letter or a digit; no
    /// two adjacent dots; not shaped like an IPv4 address; not starting with `xn--`, `sthree-` or
    /// `amzn-s3-demo-`; not ending with `-s3alias`, `--ol-s3`, `.mrap` or `--x-s3`.
    ///
    /// - Throws: ``S3URIError`` naming `s3://<name>` and the rule it breaks.
    public static func validateNewBucketName(_ name: String) throws(S3URIError) {
        func fail(_ reason: String) -> S3URIError { S3URIError(input: "s3://\(name)", reason: reason) }
        if let reason = bucketNameProblem(name) { throw fail(reason) }
        guard name.utf8.count <= 63 else {
            throw fail("a new bucket's name is 3 to 63 characters long; this one has \(name.utf8.count)")
        }
        guard name.utf8.allSatisfy({ isLowerCaseLetterOrDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") })
        else {
            throw fail("a new bucket's name has only lower-case letters, digits, '.' and '-'")
        }
        guard !name.contains("..") else { throw fail("the bucket name has two adjacent dots") }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        if labels.count == 4, labels.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 3 && $0.utf8.allSatisfy(isDigit) }) {
            throw fail("the bucket name is shaped like an IP address")
        }
        for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] where name.hasPrefix(prefix) {
            throw fail("a bucket name may not start with '\(prefix)'")
        }
        for suffix in ["-s3alias", "--ol-s3", ".mrap", "--x-s3"] where name.hasSuffix(suffix) {
            throw fail("a bucket name may not end with '\(suffix)'")
        }
    }

    /// Why `name` cannot be a bucket on any S3 server, or `nil` when it can.
    static func bucketNameProblem(_ name: String) -> String? {
        guard !name.isEmpty else { return "the bucket name is missing" }
        let bytes = Array(name.utf8)
        guard bytes.allSatisfy({ isLetterOrDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") })
        else {
            return "the bucket name '\(name)' may only contain letters, digits, '.', '-' and '_'"
        }
        guard (3...255).contains(bytes.count) else {
            return "the bucket name '\(name)' is \(bytes.count) characters long; bucket names have 3 to 255 (63 for new buckets)"
        }
        guard isLetterOrDigit(bytes.first!), isLetterOrDigit(bytes.last!) else {
            return "the bucket name '\(name)' must start and end with a letter or a digit"
        }
        return nil
    }

    /// Why `key` cannot be an object key or prefix, or `nil` when it can.
    static func keyProblem(_ key: String) -> String? {
        guard key.utf8.count <= maximumKeyLength else {
            return "the key is \(key.utf8.count) bytes long; S3 allows \(maximumKeyLength)"
        }
        return nil
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isLowerCaseLetterOrDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || isDigit(byte)
    }

    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        isLowerCaseLetterOrDigit(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
}

/// A string that is not an ``S3URI``, or a bucket name S3 does not accept.
public struct S3URIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text that was rejected, as given.
    public var input: String
    /// What is wrong with it.
    public var reason: String

    /// Creates an error about `input`.
    public init(input: String, reason: String) {
        self.input = input
        self.reason = reason
    }

    /// `invalid S3 URI 's3:/bucket/key': it does not start with s3://`.
    public var description: String {
        "invalid S3 URI '\(input)': \(reason)"
    }
}
