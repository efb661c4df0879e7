import MLOpsCore
import MLOpsMLflow
import MLOpsServing

/// Where a request to the gateway goes, read from its method, path and `Host` header.
///
/// Two forms reach a key:
/// - the path form, `POST /models/{model}/{alias}/invocations` and `GET|HEAD /models/{model}/{alias}/ping`
///   (`health`, `version` too), forwarded to the model server as `/invocations`, `/ping` …;
/// - the original stack's form, `Host: mlflow-serve-<model>-<alias>[:port]` with the scoring server's own
///   paths, looked up in a ``StableNameIndex`` (names are never parsed back into a model and an alias:
///   `mlflow-serve-a-b-production` could be either `a-b`/`Production` or `a`/`b-Production`).
public enum GatewayRequestTarget: Sendable, Equatable {
    /// Forward to the instance serving `key`: `path` (with the query) is what the model server gets,
    /// `handler` the scoring server's endpoint the request counts under (`/invocations`, `/ping` …).
    case key(ServingKey, handler: String, path: String)
    /// No such route: answer 404 with this message.
    case notFound(String)
    /// The endpoint exists but not with this method: answer 405 with `Allow`.
    case methodNotAllowed(allow: [String])

    /// The scoring server's endpoints, with the methods each answers.
    public static let endpoints: [String: [String]] = [
        "invocations": ["POST"],
        "ping": ["GET", "HEAD"],
        "health": ["GET", "HEAD"],
        "version": ["GET", "HEAD"],
    ]

    /// Reads the target of a request.
    ///
    /// - Parameters:
    ///   - method: the request's method, upper-case as HTTP sends it.
    ///   - uri: the request target as sent (`/models/iris/Production/invocations?x=1`).
    ///   - host: the `Host` header, if any.
    ///   - names: the stable names of the served keys.
    public static func parse(method: String, uri: String, host: String?, names: StableNameIndex) -> GatewayRequestTarget {
        let (path, query) = split(uri)
        if path.hasPrefix("/models/") {
            return parseModelPath(method: method, path: path, query: query)
        }
        guard let host, let name = hostName(host) else {
            return .notFound("no route for \(path): use /models/{model}/{alias}/invocations")
        }
        switch names.lookup(name) {
        case nil:
            return .notFound("no route for \(path): use /models/{model}/{alias}/invocations")
        case .ambiguous(let keys):
            let listed = keys.map { "\($0.model)/\($0.alias)" }.joined(separator: " and ")
            return .notFound("the host name \(name) names more than one served key (\(listed)): use /models/{model}/{alias}\(path)")
        case .key(let key):
            let endpoint = String(path.dropFirst())
            guard let methods = endpoints[endpoint] else {
                return .notFound("\(path) is not an endpoint of the model server (invocations, ping, health, version)")
            }
            guard methods.contains(method) else { return .methodNotAllowed(allow: methods) }
            return .key(key, handler: path, path: path + query)
        }
    }

    private static func parseModelPath(method: String, path: String, query: String) -> GatewayRequestTarget {
        let segments = path.dropFirst("/models/".count).split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count == 3,
            let model = PercentEncoding.decode(segments[0]), !model.isEmpty,
            let alias = PercentEncoding.decode(segments[1]), !alias.isEmpty
        else {
            return .notFound("expected /models/{model}/{alias}/{invocations|ping|health|version}, got \(path)")
        }
        let endpoint = String(segments[2])
        guard let methods = endpoints[endpoint] else {
            return .notFound("\(endpoint) is not an endpoint of the model server (invocations, ping, health, version)")
        }
        guard methods.contains(method) else { return .methodNotAllowed(allow: methods) }
        return .key(ServingKey(model: model, alias: alias), handler: "/" + endpoint, path: "/" + endpoint + query)
    }

    /// The path and the query (with its `?`, or empty).
    private static func split(_ uri: String) -> (path: String, query: String) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, "") }
        return (String(uri[..<mark]), String(uri[mark...]))
    }

    /// The host name of a `Host` header, lower-cased, without the port; `nil` for an IP literal.
    static func hostName(_ host: String) -> String? {
        var name = Substring(host)
        if name.hasPrefix("[") { return nil }  // an IPv6 literal
        if let colon = name.lastIndex(of: ":") { name = name[..<colon] }
        guard !name.isEmpty, !name.allSatisfy({ $0.isNumber || $0 == "." }) else { return nil }
        return name.lowercased()
    }
}

/// The stable instance names (`mlflow-serve-<model>-<alias>`, as ``ServingNames/stable(for:)`` makes
/// them) of the served keys, for routing by `Host`. Built forwards from the keys, so a name two keys
/// share is known as ambiguous instead of being routed to either.
public struct StableNameIndex: Sendable, Equatable {
    public enum Entry: Sendable, Equatable {
        case key(ServingKey)
        case ambiguous([ServingKey])
    }

    private var entries: [String: Entry] = [:]

    public init(keys: some Sequence<ServingKey>) {
        for key in keys.sorted() {
            let name = ServingNames.stable(for: key)
            switch entries[name] {
            case nil: entries[name] = .key(key)
            case .key(let other): entries[name] = .ambiguous([other, key])
            case .ambiguous(let others): entries[name] = .ambiguous(others + [key])
            }
        }
    }

    /// What `name` (lower-case, no port) names.
    public func lookup(_ name: String) -> Entry? { entries[name] }
}
