import Foundation
import MLOpsKit

/// A ``ModelRegistry`` held in memory, for deterministic tests of what reads the registry (the alias
/// reconciler above all).
///
/// It follows MLflow's semantics where the reconciler and the alias tools read: registered models with
/// tags and aliases, versions numbered from 1 per model with a status (READY unless set otherwise),
/// `searchRegisteredModels` sorted by name with aliases and paged by `maxResults` (page tokens are
/// opaque offsets), `searchModelVersions` paged the same way (no aliases, as MLflow answers), alias
/// get, set and delete (setting an alias on another version moves it; deleting an absent alias
/// succeeds; a missing alias throws a not-found ``MLflowError``). Search filters understand only
/// `name = '<name>'` and `name LIKE '<prefix>%'`; any other filter throws.
///
/// ``setOutage(_:)`` makes every call throw (a registry outage); ``requestCount`` counts every call,
/// failed ones included; ``holdRequests()`` makes calls wait until ``releaseRequests()`` (a slow
/// registry), so a test can act while a reader is in the middle of a read.
///
/// Rarely-used methods (renaming and updating models and versions, download URIs) throw
/// ``Unimplemented`` naming the method.
public actor InMemoryModelRegistry: ModelRegistry {
    /// Thrown by the methods this registry does not implement.
    public struct Unimplemented: Error, Sendable, Equatable, CustomStringConvertible {
        public var method: String
        public var description: String { "InMemoryModelRegistry does not implement \(method)" }
    }

    private var models: [String: RegisteredModel] = [:]
    private var versions: [String: [ModelVersion]] = [:]
    private var outage: (any Error)?
    private var holding = false
    private var held: [CheckedContinuation<Void, Never>] = []
    private var heldWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    /// Every call made, failed ones included.
    public private(set) var requestCount = 0
    /// The calls made, by method name (`searchRegisteredModels`, …), failed ones included.
    public private(set) var requests: [String] = []

    public init() {}

    // MARK: Test controls

    /// Makes every call throw `error` (after counting it) until called with `nil`.
    public func setOutage(_ error: (any Error)?) {
        outage = error
    }

    /// From now on every call waits (counted, before it reads anything) until ``releaseRequests()``.
    public func holdRequests() {
        holding = true
    }

    /// Lets every waiting call go on, and stops holding new ones.
    public func releaseRequests() {
        holding = false
        let waiting = held
        held.removeAll()
        for continuation in waiting { continuation.resume() }
    }

    /// Returns once at least `count` calls are waiting (held by ``holdRequests()``).
    public func waitForHeldRequests(count: Int = 1) async {
        if held.count >= count { return }
        await withCheckedContinuation { heldWaiters.append((count, $0)) }
    }

    /// Adds a model with versions `1...versionCount` (READY) and `aliases` (alias to version).
    public func addModel(_ name: String, versionCount: Int = 1, aliases: [String: String] = [:]) {
        models[name] = RegisteredModel(name: name, creationTimestamp: 0, lastUpdatedTimestamp: 0)
        versions[name] = []
        for _ in 0..<versionCount { addVersion(of: name) }
        for (alias, version) in aliases.sorted(by: { $0.key < $1.key }) { moveAlias(alias, of: name, to: version) }
    }

    /// Adds the next version of `model` with `status`, and returns its number.
    @discardableResult
    public func addVersion(of model: String, status: ModelVersionStatus = .ready) -> String {
        let number = String((versions[model]?.count ?? 0) + 1)
        versions[model, default: []].append(
            ModelVersion(name: model, version: number, creationTimestamp: 0, source: "models:/\(model)/\(number)", status: status))
        return number
    }

    /// Points `alias` of `model` at `version`, without counting a request (a test's own change).
    public func moveAlias(_ alias: String, of model: String, to version: String) {
        models[model]?.aliases.removeAll { $0.alias == alias }
        models[model]?.aliases.append(RegisteredModelAlias(alias: alias, version: version))
    }

    // MARK: Registered models

    public func createRegisteredModel(name: String, description: String?, tags: [RegisteredModelTag]) async throws -> RegisteredModel {
        try await request("createRegisteredModel")
        guard models[name] == nil else {
            throw MLflowError(code: .resourceAlreadyExists, httpStatus: 400, message: "Registered Model (name=\(name)) already exists.")
        }
        let model = RegisteredModel(name: name, creationTimestamp: 0, lastUpdatedTimestamp: 0, description: description, tags: tags)
        models[name] = model
        versions[name] = []
        return model
    }

    public func getRegisteredModel(name: String) async throws -> RegisteredModel {
        try await request("getRegisteredModel")
        return try model(name)
    }

    public func renameRegisteredModel(name: String, to newName: String) async throws -> RegisteredModel {
        try await request("renameRegisteredModel")
        throw Unimplemented(method: "renameRegisteredModel")
    }

    public func updateRegisteredModel(name: String, description: String) async throws -> RegisteredModel {
        try await request("updateRegisteredModel")
        throw Unimplemented(method: "updateRegisteredModel")
    }

    public func deleteRegisteredModel(name: String) async throws {
        try await request("deleteRegisteredModel")
        _ = try model(name)
        models[name] = nil
        versions[name] = nil
    }

    public func searchRegisteredModels(filter: String?, orderBy: [String], maxResults: Int, pageToken: String?) async throws
        -> Page<RegisteredModel>
    {
        try await request("searchRegisteredModels")
        let matching = try models.values.filter { try Self.matches($0.name, filter: filter) }.sorted { $0.name < $1.name }
        return try Self.page(matching, maxResults: maxResults, pageToken: pageToken)
    }

    public func setRegisteredModelTag(name: String, key: String, value: String) async throws {
        try await request("setRegisteredModelTag")
        _ = try model(name)
        models[name]?.tags.removeAll { $0.key == key }
        models[name]?.tags.append(RegisteredModelTag(key: key, value: value))
    }

    public func deleteRegisteredModelTag(name: String, key: String) async throws {
        try await request("deleteRegisteredModelTag")
        _ = try model(name)
        models[name]?.tags.removeAll { $0.key == key }
    }

    // MARK: Model versions

    public func createModelVersion(
        name: String, source: String, runID: String?, description: String?, tags: [ModelVersionTag], modelID: String?
    ) async throws -> ModelVersion {
        try await request("createModelVersion")
        _ = try model(name)
        let number = addVersion(of: name)
        versions[name]?[Int(number)! - 1].source = source
        versions[name]?[Int(number)! - 1].runID = runID
        versions[name]?[Int(number)! - 1].description = description
        versions[name]?[Int(number)! - 1].tags = tags
        return try version(name, number)
    }

    public func getModelVersion(name: String, version: String) async throws -> ModelVersion {
        try await request("getModelVersion")
        return try self.version(name, version)
    }

    public func updateModelVersion(name: String, version: String, description: String) async throws -> ModelVersion {
        try await request("updateModelVersion")
        throw Unimplemented(method: "updateModelVersion")
    }

    public func deleteModelVersion(name: String, version: String) async throws {
        try await request("deleteModelVersion")
        _ = try self.version(name, version)
        versions[name]?.removeAll { $0.version == version }
        models[name]?.aliases.removeAll { $0.version == version }
    }

    public func searchModelVersions(filter: String?, orderBy: [String], maxResults: Int, pageToken: String?) async throws
        -> Page<ModelVersion>
    {
        try await request("searchModelVersions")
        let all = versions.keys.sorted().flatMap { versions[$0] ?? [] }
        let matching = try all.filter { try Self.matches($0.name, filter: filter) }
        return try Self.page(matching, maxResults: maxResults, pageToken: pageToken)
    }

    public func setModelVersionTag(name: String, version: String, key: String, value: String) async throws {
        try await request("setModelVersionTag")
        let index = try versionIndex(name, version)
        versions[name]?[index].tags.removeAll { $0.key == key }
        versions[name]?[index].tags.append(ModelVersionTag(key: key, value: value))
    }

    public func deleteModelVersionTag(name: String, version: String, key: String) async throws {
        try await request("deleteModelVersionTag")
        let index = try versionIndex(name, version)
        versions[name]?[index].tags.removeAll { $0.key == key }
    }

    public func getModelVersionDownloadURI(name: String, version: String) async throws -> String {
        try await request("getModelVersionDownloadURI")
        throw Unimplemented(method: "getModelVersionDownloadURI")
    }

    // MARK: Aliases

    public func setRegisteredModelAlias(name: String, alias: String, version: String) async throws {
        try await request("setRegisteredModelAlias")
        _ = try self.version(name, version)
        moveAlias(alias, of: name, to: version)
    }

    public func deleteRegisteredModelAlias(name: String, alias: String) async throws {
        try await request("deleteRegisteredModelAlias")
        _ = try model(name)
        models[name]?.aliases.removeAll { $0.alias == alias }
    }

    public func getModelVersion(name: String, alias: String) async throws -> ModelVersion {
        try await request("getModelVersionByAlias")
        let model = try model(name)
        guard let number = model.version(forAlias: alias) else {
            throw MLflowError(
                code: .invalidParameterValue, httpStatus: 404,
                message: "Registered model alias \(alias) not found.")
        }
        var version = try self.version(name, number)
        version.aliases = model.aliases.filter { $0.version == number }.map(\.alias)
        return version
    }

    // MARK: Helpers

    private func request(_ method: String) async throws {
        requestCount += 1
        requests.append(method)
        if holding {
            await withCheckedContinuation { continuation in
                held.append(continuation)
                let count = held.count
                let ready = heldWaiters.filter { $0.count <= count }
                heldWaiters.removeAll { $0.count <= count }
                for waiter in ready { waiter.continuation.resume() }
            }
        }
        if let outage { throw outage }
    }

    private func model(_ name: String) throws -> RegisteredModel {
        guard var model = models[name] else {
            throw MLflowError(code: .resourceDoesNotExist, httpStatus: 404, message: "Registered Model with name=\(name) not found")
        }
        model.latestVersions = versions[name]?.last.map { [$0] } ?? []
        return model
    }

    private func versionIndex(_ name: String, _ version: String) throws -> Int {
        guard let index = versions[name]?.firstIndex(where: { $0.version == version }) else {
            throw MLflowError(
                code: .resourceDoesNotExist, httpStatus: 404, message: "Model Version (name=\(name), version=\(version)) not found")
        }
        return index
    }

    private func version(_ name: String, _ version: String) throws -> ModelVersion {
        versions[name]![try versionIndex(name, version)]
    }

    private static func matches(_ name: String, filter: String?) throws -> Bool {
        guard let filter = filter?.trimmingCharacters(in: .whitespaces), !filter.isEmpty else { return true }
        let pattern = #/^name\s*(=|LIKE|like)\s*'([^']*)'$/#
        guard let match = filter.wholeMatch(of: pattern) else {
            throw MLflowError(code: .invalidParameterValue, httpStatus: 400, message: "unsupported filter in the in-memory registry: \(filter)")
        }
        let value = String(match.output.2)
        if match.output.1 == "=" { return name == value }
        if value.hasSuffix("%"), !value.dropLast().contains("%") { return name.hasPrefix(value.dropLast()) }
        if !value.contains("%") { return name == value }
        throw MLflowError(code: .invalidParameterValue, httpStatus: 400, message: "unsupported LIKE pattern in the in-memory registry: \(value)")
    }

    private static func page<Element>(_ items: [Element], maxResults: Int, pageToken: String?) throws -> Page<Element> {
        let start = pageToken.flatMap { Int($0) } ?? 0
        guard start >= 0, start <= items.count, maxResults > 0 else {
            throw MLflowError(code: .invalidParameterValue, httpStatus: 400, message: "bad page token or max_results")
        }
        let end = min(items.count, start + maxResults)
        return Page(items: Array(items[start..<end]), nextPageToken: end < items.count ? String(end) : nil)
    }
}
