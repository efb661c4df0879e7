import MLOpsCore
import MLOpsServing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Finds where a (model, alias) is served: from the autoserve agent's `GET /status` when an agent
/// answers, else from the serving runtime's instances (labels `mlflow_model`, `mlflow_alias`, running).
///
/// ```swift
/// let resolver = ServingEndpointResolver(agent: AutoserveAgentClient(baseURL: agentURL)) {
///     try ProcessServingRuntime(configuration: .init(stateDirectory: dir, lockStateDirectory: false))
/// }
/// let endpoint = try await resolver.resolve(ServingKey(model: "iris", alias: "Production"))
/// ```
///
/// When the agent answers, its word is final: a key it reports without an endpoint is not served (a
/// key it is rolling out keeps the endpoint of the version still serving). The runtime is opened only
/// when no agent answers (none configured, connection refused, or something else on its port).
public struct ServingEndpointResolver: Sendable {
    /// The agent to ask first; `nil` asks the runtime only.
    public var agent: AutoserveAgentClient?
    /// Opens the serving runtime; called at most once per ``resolve(_:)``, and only when the agent
    /// cannot answer.
    public var openRuntime: @Sendable () async throws -> any ServingRuntime

    public init(agent: AutoserveAgentClient?, openRuntime: @escaping @Sendable () async throws -> any ServingRuntime) {
        self.agent = agent
        self.openRuntime = openRuntime
    }

    /// The endpoint serving `key`.
    ///
    /// - Throws: ``ServingEndpointResolverError``.
    public func resolve(_ key: ServingKey) async throws(ServingEndpointResolverError) -> ServingEndpoint {
        var agentProblem: String?
        if let agent {
            do {
                let document = try await agent.status()
                return try Self.endpoint(for: key, in: document, agentURL: Redaction.redact(agent.baseURL))
            } catch let error as AutoserveAgentClientError {
                agentProblem = error.description
            } catch let error as ServingEndpointResolverError {
                throw error
            } catch {
                agentProblem = "\(error)"
            }
        }
        let runtime: any ServingRuntime
        let instances: [ServingInstance]
        do {
            runtime = try await openRuntime()
            instances = try await runtime.instances(matching: Self.labels(for: key))
        } catch {
            throw .unavailable(key, agent: agentProblem, runtime: "the serving runtime cannot be read: \(error)")
        }
        guard let instance = Self.preferredInstance(for: key, among: instances), let url = instance.endpoint else {
            let others = instances.map { "\($0.name) (\($0.state))" }.joined(separator: ", ")
            throw .notServed(
                key,
                detail: "the \(runtime.name) runtime has no running instance for it"
                    + (others.isEmpty ? "" : " (found \(others))") + (agentProblem.map { "; \($0)" } ?? ""))
        }
        return ServingEndpoint(key: key, url: url, version: instance.version, instanceID: instance.id, source: .runtime(runtime.name))
    }

    /// The labels that select `key`'s instances.
    public static func labels(for key: ServingKey) -> [String: String] {
        ServingLabels.selector.merging([ServingLabels.model: key.model, ServingLabels.alias: key.alias]) { $1 }
    }

    /// The endpoint the agent's document gives `key`.
    static func endpoint(
        for key: ServingKey, in document: AutoserveStatusDocument, agentURL: String
    ) throws(ServingEndpointResolverError) -> ServingEndpoint {
        guard let status = document.keys.first(where: { $0.key == key }) else {
            let aliases = document.aliases.joined(separator: ", ")
            throw .notServed(key, detail: "the autoserve agent at \(agentURL) does not serve it (its aliases: \(aliases))")
        }
        guard let text = status.endpoint, let url = URL(string: text) else {
            var detail = "the autoserve agent at \(agentURL) reports it \(status.state)"
            if let reason = status.reason { detail += " (\(reason))" }
            if let message = status.message { detail += ": \(message)" }
            throw .notServed(key, detail: detail)
        }
        // The gateway's stable route survives the switch to another version; the instance's own address
        // does not.
        if let gateway = status.gatewayURL, let gatewayURL = URL(string: gateway) {
            return ServingEndpoint(
                key: key, url: gatewayURL, version: status.servingVersion, instanceID: status.instanceID,
                source: .gateway(agent: agentURL))
        }
        return ServingEndpoint(
            key: key, url: url, version: status.servingVersion, instanceID: status.instanceID, source: .agent(agentURL))
    }

    /// The running instance to send requests to: the one with the stable name, else the one started
    /// last (a replacement that started beside it).
    static func preferredInstance(for key: ServingKey, among instances: [ServingInstance]) -> ServingInstance? {
        let running = instances.filter { $0.key == key && $0.state.isRunning && $0.endpoint != nil }
        let stable = ServingNames.stable(for: key)
        if let named = running.first(where: { $0.name == stable }) { return named }
        return running.max { ($0.startedAt ?? .distantPast) < ($1.startedAt ?? .distantPast) }
    }
}
