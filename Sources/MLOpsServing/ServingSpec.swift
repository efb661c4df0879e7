import MLOpsCore

/// What one serving instance should run: the runtime-neutral part of the agent's decision. Each
/// ``ServingRuntime`` turns it into its own form (a container, a child process).
public struct ServingSpec: Sendable, Hashable {
    /// The (model, alias) the instance serves.
    public var key: ServingKey
    /// The model version it serves.
    public var version: String
    /// The instance's name: ``ServingNames/stable(for:)`` or, while it starts beside the instance it
    /// replaces, ``ServingNames/candidate(for:version:)``.
    public var name: String
    /// Environment for the model server (tracking URI, S3 endpoint, credentials). Values may be secret:
    /// runtimes never log them.
    public var environment: [String: String]
    /// Labels beyond ``ServingLabels`` to attach.
    public var extraLabels: [String: String]
    /// A hash of the agent configuration that shaped the instance (see ``ServingLabels/configHash``).
    public var configHash: String

    public init(
        key: ServingKey,
        version: String,
        name: String? = nil,
        environment: [String: String] = [:],
        extraLabels: [String: String] = [:],
        configHash: String = ""
    ) {
        self.key = key
        self.version = version
        self.name = name ?? ServingNames.stable(for: key)
        self.environment = environment
        self.extraLabels = extraLabels
        self.configHash = configHash
    }

    /// `models:/<model>@<alias>`: what the original's generic mode serves.
    public var aliasModelURI: String { "models:/\(key.model)@\(key.alias)" }

    /// `models:/<model>/<version>`: the exact version, which is what an instance should load so that an
    /// alias moving while it starts cannot change what it serves.
    public var versionModelURI: String { "models:/\(key.model)/\(version)" }
}
