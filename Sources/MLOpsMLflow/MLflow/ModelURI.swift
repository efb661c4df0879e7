import MLOpsCore

/// A reference to a model's files in one of the forms MLflow accepts.
///
/// ```swift
/// let uri = try ModelURI(parsing: "models:/iris@Production")
/// let location = try await uri.resolve(using: client)   // "mlflow-artifacts:/1/<run>/artifacts/model"
/// ```
///
/// ``description`` renders the canonical string, and parsing it gives the same value back.
public enum ModelURI: Sendable, Hashable, CustomStringConvertible, LosslessStringConvertible {
    /// `models:/<name>/<version>`: a registered model version.
    case registeredModelVersion(name: String, version: String)
    /// `models:/<name>@<alias>`: the version an alias of a registered model points to.
    case registeredModelAlias(name: String, alias: String)
    /// `models:/m-<id>`: an MLflow 3 logged model; `id` includes the `m-` prefix.
    case loggedModel(id: String)
    /// `runs:/<run id>/<path>`: a path inside a run's artifacts; `path` may be empty for the root.
    case runArtifact(runID: String, path: String)
    /// `mlflow-artifacts:/<path>` or `mlflow-artifacts://<host[:port]>/<path>`: the tracking server's
    /// proxied artifact store. `path` has no leading slash.
    case mlflowArtifacts(authority: String?, path: String)
    /// `s3://<bucket>/<key>`: an object or prefix in S3 or an S3-compatible store.
    case s3(bucket: String, key: String)
    /// `file:///<path>`: a local absolute path.
    case file(path: String)

    /// Parses `text`.
    ///
    /// - Throws: ``ModelURIError`` naming the input and what is wrong with it.
    public init(parsing text: String) throws(ModelURIError) {
        self = try Self.parse(text)
    }

    /// Parses `description`, or returns `nil` if it is not a valid model URI.
    public init?(_ description: String) {
        guard let uri = try? Self.parse(description) else { return nil }
        self = uri
    }

    /// The canonical string form.
    public var description: String {
        switch self {
        case .registeredModelVersion(let name, let version): "models:/\(name)/\(version)"
        case .registeredModelAlias(let name, let alias): "models:/\(name)@\(alias)"
        case .loggedModel(let id): "models:/\(id)"
        case .runArtifact(let runID, let path): path.isEmpty ? "runs:/\(runID)" : "runs:/\(runID)/\(path)"
        case .mlflowArtifacts(nil, let path): "mlflow-artifacts:/\(path)"
        case .mlflowArtifacts(let authority?, let path): "mlflow-artifacts://\(authority)/\(path)"
        case .s3(let bucket, let key): key.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(key)"
        case .file(let path): "file://\(path)"
        }
    }

    /// Whether the URI must be looked up on the tracking server before its files can be read.
    public var needsResolution: Bool {
        switch self {
        case .registeredModelVersion, .registeredModelAlias, .loggedModel, .runArtifact: true
        case .mlflowArtifacts, .s3, .file: false
        }
    }

    // MARK: Parsing

    private static func parse(_ text: String) throws(ModelURIError) -> ModelURI {
        let uri = try parseParts(text)
        // What parses renders to text that parses back: `runs:/r/a /` (trailing '/' removed) or
        // `s3:// /` (an empty key) would render as text ending with whitespace.
        guard uri.description.last?.isWhitespace != true else {
            throw ModelURIError(input: text, reason: "it ends with whitespace once the trailing '/' are removed")
        }
        return uri
    }

    private static func parseParts(_ text: String) throws(ModelURIError) -> ModelURI {
        func fail(_ reason: String) -> ModelURIError { ModelURIError(input: text, reason: reason) }

        guard !text.isEmpty else { throw fail("it is empty") }
        guard text.first?.isWhitespace == false, text.last?.isWhitespace == false else {
            throw fail("it starts or ends with whitespace")
        }
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw fail("it contains control characters")
        }
        guard let colon = text.firstIndex(of: ":") else {
            throw fail("it has no scheme; expected models:/, runs:/, mlflow-artifacts:/, s3:// or file://")
        }
        let scheme = text[..<colon].lowercased()
        let rest = String(text[text.index(after: colon)...])

        switch scheme {
        case "models":
            return try parseModels(rest, fail: fail)
        case "runs":
            return try parseRuns(rest, fail: fail)
        case "mlflow-artifacts":
            return try parseMLflowArtifacts(rest, fail: fail)
        case "s3":
            guard rest.hasPrefix("//") else { throw fail("an s3 URI starts with s3://") }
            let body = rest.dropFirst(2)
            let slash = body.firstIndex(of: "/") ?? body.endIndex
            let bucket = String(body[..<slash])
            guard !bucket.isEmpty else { throw fail("the bucket name is missing") }
            let key = slash == body.endIndex ? "" : String(body[body.index(after: slash)...])
            return .s3(bucket: bucket, key: key)
        case "file":
            guard rest.hasPrefix("///") else {
                throw fail("a file URI needs an absolute path and no host, as in file:///path/to/model")
            }
            let path = String(rest.dropFirst(2))
            guard path.count > 1 else { throw fail("the path is missing") }
            return .file(path: path)
        default:
            throw fail(
                "unsupported scheme '\(scheme)'; expected models:/, runs:/, mlflow-artifacts:/, s3:// or file://"
            )
        }
    }

    private static func parseModels(
        _ rest: String,
        fail: (String) -> ModelURIError
    ) throws(ModelURIError) -> ModelURI {
        guard rest.hasPrefix("/"), !rest.hasPrefix("//") else {
            throw fail("a models URI has the form models:/<name>/<version> or models:/<name>@<alias>")
        }
        let body = String(rest.dropFirst())
        guard !body.isEmpty else { throw fail("the model name is missing") }
        let parts = body.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1:
            if let at = body.firstIndex(of: "@") {
                let name = String(body[..<at])
                let alias = String(body[body.index(after: at)...])
                guard !name.isEmpty else { throw fail("the model name before '@' is missing") }
                guard !alias.isEmpty else { throw fail("the alias after '@' is missing") }
                guard !alias.contains("@") else { throw fail("the alias contains '@'") }
                return .registeredModelAlias(name: name, alias: alias)
            }
            if body.hasPrefix("m-"), body.count > 2 {
                return .loggedModel(id: body)
            }
            throw fail("a version or alias is missing; use models:/\(body)/<version> or models:/\(body)@<alias>")
        case 2:
            let name = String(parts[0])
            let version = String(parts[1])
            guard !name.isEmpty else { throw fail("the model name is missing") }
            guard !version.isEmpty else { throw fail("the version after '/' is missing") }
            guard version.allSatisfy(\.isASCII), version.allSatisfy(\.isNumber) else {
                throw fail(
                    "'\(version)' is not a version number; stages are not supported, use an alias "
                        + "(models:/\(name)@<alias>)"
                )
            }
            return .registeredModelVersion(name: name, version: version)
        default:
            throw fail("a models URI has exactly one '/' after the name: models:/<name>/<version>")
        }
    }

    private static func parseRuns(_ rest: String, fail: (String) -> ModelURIError) throws(ModelURIError) -> ModelURI {
        guard rest.hasPrefix("/"), !rest.hasPrefix("//") else {
            throw fail("a runs URI has the form runs:/<run id>/<path>")
        }
        let body = rest.dropFirst()
        let slash = body.firstIndex(of: "/") ?? body.endIndex
        let runID = String(body[..<slash])
        guard !runID.isEmpty else { throw fail("the run ID is missing") }
        var path = slash == body.endIndex ? "" : String(body[body.index(after: slash)...])
        while path.hasSuffix("/") { path.removeLast() }
        return .runArtifact(runID: runID, path: path)
    }

    private static func parseMLflowArtifacts(
        _ rest: String,
        fail: (String) -> ModelURIError
    ) throws(ModelURIError) -> ModelURI {
        if rest.hasPrefix("//") {
            let body = rest.dropFirst(2)
            let slash = body.firstIndex(of: "/") ?? body.endIndex
            let authority = String(body[..<slash])
            guard !authority.isEmpty else { throw fail("the host after mlflow-artifacts:// is missing") }
            let path = slash == body.endIndex ? "" : String(body[body.index(after: slash)...])
            guard !path.isEmpty else { throw fail("the artifact path is missing") }
            return .mlflowArtifacts(authority: authority, path: path)
        }
        guard rest.hasPrefix("/") else {
            throw fail("an mlflow-artifacts URI has the form mlflow-artifacts:/<path>")
        }
        let path = String(rest.drop(while: { $0 == "/" }))
        guard !path.isEmpty else { throw fail("the artifact path is missing") }
        return .mlflowArtifacts(authority: nil, path: path)
    }
}
