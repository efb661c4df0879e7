import MLOpsCore

/// The model registry: registered models, their versions, tags and aliases.
///
/// ``MLflowClient`` implements it over REST; tests and embedding applications can supply their own.
/// Methods throw ``MLflowError`` for failures the registry reports.
public protocol ModelRegistry: Sendable {
    // MARK: Registered models

    /// Creates a registered model.
    func createRegisteredModel(name: String, description: String?, tags: [RegisteredModelTag]) async throws
        -> RegisteredModel
    /// The registered model called `name`, with its tags, aliases and latest versions.
    func getRegisteredModel(name: String) async throws -> RegisteredModel
    /// Renames a registered model and returns it under its new name.
    func renameRegisteredModel(name: String, to newName: String) async throws -> RegisteredModel
    /// Replaces a registered model's description.
    func updateRegisteredModel(name: String, description: String) async throws -> RegisteredModel
    /// Deletes a registered model and all its versions.
    func deleteRegisteredModel(name: String) async throws
    /// One page of registered models matching `filter` (such as `name LIKE 'iris%'`), aliases included.
    func searchRegisteredModels(
        filter: String?,
        orderBy: [String],
        maxResults: Int,
        pageToken: String?
    ) async throws -> Page<RegisteredModel>
    /// Sets a tag on a registered model.
    func setRegisteredModelTag(name: String, key: String, value: String) async throws
    /// Deletes a tag from a registered model; deleting an absent tag succeeds.
    func deleteRegisteredModelTag(name: String, key: String) async throws

    // MARK: Model versions

    /// Registers a new version of a model from `source`.
    func createModelVersion(
        name: String,
        source: String,
        runID: String?,
        description: String?,
        tags: [ModelVersionTag],
        modelID: String?
    ) async throws -> ModelVersion
    /// One version of a registered model, including its aliases.
    func getModelVersion(name: String, version: String) async throws -> ModelVersion
    /// Replaces a model version's description.
    func updateModelVersion(name: String, version: String, description: String) async throws -> ModelVersion
    /// Deletes a model version.
    func deleteModelVersion(name: String, version: String) async throws
    /// One page of model versions matching `filter` (such as `name='iris'`). Aliases are not included.
    func searchModelVersions(
        filter: String?,
        orderBy: [String],
        maxResults: Int,
        pageToken: String?
    ) async throws -> Page<ModelVersion>
    /// Sets a tag on a model version.
    func setModelVersionTag(name: String, version: String, key: String, value: String) async throws
    /// Deletes a tag from a model version; deleting an absent tag succeeds.
    func deleteModelVersionTag(name: String, version: String, key: String) async throws
    /// Where a model version's files are, such as `mlflow-artifacts:/1/<run>/artifacts/model`.
    func getModelVersionDownloadURI(name: String, version: String) async throws -> String

    // MARK: Aliases

    /// Points `alias` at `version`, moving it if it pointed elsewhere.
    func setRegisteredModelAlias(name: String, alias: String, version: String) async throws
    /// Removes an alias; removing an absent alias succeeds.
    func deleteRegisteredModelAlias(name: String, alias: String) async throws
    /// The version `alias` points to. A missing alias throws a not-found ``MLflowError`` with
    /// ``MLflowError/isAliasNotFound`` set.
    func getModelVersion(name: String, alias: String) async throws -> ModelVersion
}
