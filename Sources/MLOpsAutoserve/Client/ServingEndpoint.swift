import MLOpsCore
import MLOpsServing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where one (model, alias) is served, as ``ServingEndpointResolver`` found it.
public struct ServingEndpoint: Sendable, Hashable {
    /// Who said so.
    public enum Source: Sendable, Hashable, CustomStringConvertible {
        /// The agent's `GET /status`, at this base URL.
        case agent(String)
        /// The serving runtime's instances, with the runtime's name.
        case runtime(String)
        /// The key's stable route on the agent's gateway, as the agent at this base URL reports it.
        case gateway(agent: String)

        public var description: String {
            switch self {
            case .agent(let url): "the autoserve agent at \(url)"
            case .runtime(let name): "the \(name) runtime"
            case .gateway(let agent): "the gateway of the autoserve agent at \(agent)"
            }
        }
    }

    public var key: ServingKey
    /// The model server's base URL, such as `http://127.0.0.1:5001`.
    public var url: URL
    /// The model version it serves, when known.
    public var version: String?
    /// The serving instance's runtime ID, when known.
    public var instanceID: String?
    public var source: Source

    public init(key: ServingKey, url: URL, version: String?, instanceID: String?, source: Source) {
        self.key = key
        self.url = url
        self.version = version
        self.instanceID = instanceID
        self.source = source
    }
}

/// Why ``ServingEndpointResolver`` found no endpoint.
public enum ServingEndpointResolverError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing serves the key; `detail` says what was found instead.
    case notServed(ServingKey, detail: String)
    /// Neither the agent nor the serving runtime could be asked; each reason says why.
    case unavailable(ServingKey, agent: String?, runtime: String)

    public var description: String {
        switch self {
        case .notServed(let key, let detail):
            "nothing serves \(key): \(detail)"
        case .unavailable(let key, let agent, let runtime):
            "cannot find where \(key) is served: " + (agent.map { "\($0); " } ?? "") + runtime
        }
    }
}
