import MLOpsCore

/// An artifact operation that cannot be done, with what was wrong named.
public struct ArtifactError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String
        /// A path that would leave the store's root, or is otherwise malformed.
        public static let invalidPath = Code(name: "invalid path")
        /// The artifact or local file does not exist.
        public static let notFound = Code(name: "not found")
        /// A local file could not be read or written.
        public static let localFile = Code(name: "local file error")
        /// The artifact URI names a store this build cannot reach.
        public static let unsupportedStore = Code(name: "unsupported artifact store")
        /// The store answered with an error.
        public static let storeFailed = Code(name: "artifact store error")
        public var description: String { name }
    }

    public var code: Code
    public var detail: String

    public init(code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }

    public var isNotFound: Bool { code == .notFound }

    public var description: String { "\(code): \(detail)" }
}
