import MLOpsCore
import MLOpsMLflow
import MLOpsServing

/// The registry as one resync read it: every registered model (with its aliases) and every version.
/// It feeds both the reconciler's desired state and the registry exporter's metrics.
public struct RegistrySnapshot: Sendable, Equatable {
    /// Registered models, aliases included.
    public var models: [RegisteredModel]
    /// Model versions of those models (status and creation time; no aliases).
    public var versions: [ModelVersion]
    /// How many registry requests reading it took.
    public var requestCount: Int

    public init(models: [RegisteredModel], versions: [ModelVersion], requestCount: Int = 0) {
        self.models = models
        self.versions = versions
        self.requestCount = requestCount
    }

    /// The version `version` of `model`, if the snapshot has it. Each call searches every version; to
    /// look up many, see how ``desiredServing(aliases:)`` indexes them once.
    public func version(_ version: String, of model: String) -> ModelVersion? {
        versions.first { $0.name == model && $0.version == version }
    }

    /// What each configured alias of each model should serve.
    ///
    /// An alias that points at a version which is not READY (still registering, or failed) is listed in
    /// ``DesiredServing/waiting`` rather than ``DesiredServing/versions``: nothing is rolled out for it yet,
    /// and whatever serves the key keeps serving.
    public func desiredServing(aliases: [String]) -> DesiredServing {
        var desired = DesiredServing()
        let index = versionIndex  // built once: once per key made a resync quadratic in the registry's size
        for model in models {
            for alias in aliases {
                guard let version = model.version(forAlias: alias) else { continue }
                let key = ServingKey(model: model.name, alias: alias)
                let status = index[VersionID(model: model.name, version: version)]?.status
                if status == nil || status == .ready {
                    // A version missing from the snapshot was registered between the two reads: the
                    // alias could only be set on a version that exists, so serve it.
                    desired.versions[key] = version
                } else if let status {
                    desired.waiting[key] = (version, status)
                }
            }
        }
        return desired
    }

    private struct VersionID: Hashable {
        var model: String
        var version: String
    }

    private var versionIndex: [VersionID: ModelVersion] {
        Dictionary(versions.map { (VersionID(model: $0.name, version: $0.version), $0) }) { first, _ in first }
    }
}

/// The desired state: the version each (model, alias) should serve.
public struct DesiredServing: Sendable {
    /// READY versions to serve.
    public var versions: [ServingKey: String] = [:]
    /// Aliases pointing at versions that are not READY, with their status.
    public var waiting: [ServingKey: (version: String, status: ModelVersionStatus)] = [:]

    public init() {}
}

/// Reads a ``RegistrySnapshot`` in as few requests as the registry allows: one paginated
/// `registered-models/search` (aliases come with it) and one paginated `model-versions/search`,
/// instead of one alias lookup per model per alias as the original watcher did.
public struct RegistrySnapshotReader: Sendable {
    public let registry: any ModelRegistry
    /// Models per request, at most 1,000.
    public var modelPageSize: Int
    /// Versions per request, at most 200,000; the default keeps each response at a few MB.
    public var versionPageSize: Int
    /// Limits the models read, such as `name LIKE 'iris%'`.
    public var filter: String?

    public init(registry: any ModelRegistry, modelPageSize: Int = 1_000, versionPageSize: Int = 10_000, filter: String? = nil) {
        self.registry = registry
        self.modelPageSize = modelPageSize
        self.versionPageSize = versionPageSize
        self.filter = filter
    }

    /// Reads every model and version.
    public func read() async throws -> RegistrySnapshot {
        var requests = 0
        var models: [RegisteredModel] = []
        var token: String?
        repeat {
            let page = try await registry.searchRegisteredModels(
                filter: filter, orderBy: ["name ASC"], maxResults: modelPageSize, pageToken: token)
            requests += 1
            models += page.items
            token = page.nextPageToken
        } while token != nil
        var versions: [ModelVersion] = []
        token = nil
        // A name filter means the same for versions; any other (tags) would not, so versions are then
        // read unfiltered and matched to the models read.
        let versionFilter = filter.flatMap { $0.trimmingPrefixWhitespace.lowercased().hasPrefix("name") ? $0 : nil }
        repeat {
            let page = try await registry.searchModelVersions(
                filter: versionFilter, orderBy: [], maxResults: versionPageSize, pageToken: token)
            requests += 1
            versions += page.items
            token = page.nextPageToken
        } while token != nil
        if filter != nil {
            let names = Set(models.map(\.name))
            versions.removeAll { !names.contains($0.name) }
        }
        return RegistrySnapshot(models: models, versions: versions, requestCount: requests)
    }
}

extension String {
    fileprivate var trimmingPrefixWhitespace: Substring { drop { $0 == " " || $0 == "\t" } }
}
