import MLOpsCore

extension MLflowClient {
    /// Registers a new version of model `name`.
    ///
    /// - Parameters:
    ///   - source: Where the model's files are, such as `mlflow-artifacts:/1/<run>/artifacts/model`,
    ///     `s3://bucket/model` or `models:/m-<id>` for an MLflow 3 logged model. A source inside a run's
    ///     artifacts needs `runID`.
    ///   - runID: The run that produced the model.
    ///   - description: The version's description.
    ///   - tags: Tags to set on the new version.
    ///   - modelID: The MLflow 3 logged model the version comes from.
    @discardableResult
    public func createModelVersion(
        name: String,
        source: String,
        runID: String? = nil,
        description: String? = nil,
        tags: [ModelVersionTag] = [],
        modelID: String? = nil
    ) async throws -> ModelVersion {
        let endpoint = MLflowEndpoint.createModelVersion
        try MLflowValidation.validateNotEmpty(name, name: "model name", endpoint: endpoint)
        try MLflowValidation.validateNotEmpty(source, name: "source", endpoint: endpoint)
        let body = RegistryWire.CreateModelVersion(
            name: name,
            source: source,
            runID: runID,
            description: description,
            tags: tags,
            modelID: modelID
        )
        let response: RegistryWire.ModelVersionResponse = try await send(endpoint, body: body)
        return try Self.require(response.modelVersion, "model_version", from: endpoint)
    }

    /// Version `version` of model `name`, including its aliases.
    public func getModelVersion(name: String, version: String) async throws -> ModelVersion {
        let endpoint = MLflowEndpoint.getModelVersion
        try MLflowValidation.validateNotEmpty(name, name: "model name", endpoint: endpoint)
        try MLflowValidation.validateNotEmpty(version, name: "version", endpoint: endpoint)
        let response: RegistryWire.ModelVersionResponse = try await send(
            endpoint,
            query: [("name", name), ("version", version)]
        )
        return try Self.require(response.modelVersion, "model_version", from: endpoint)
    }

    /// Replaces a model version's description.
    @discardableResult
    public func updateModelVersion(name: String, version: String, description: String) async throws -> ModelVersion {
        let endpoint = MLflowEndpoint.updateModelVersion
        try MLflowValidation.validateNotEmpty(name, name: "model name", endpoint: endpoint)
        try MLflowValidation.validateNotEmpty(version, name: "version", endpoint: endpoint)
        let body = RegistryWire.UpdateModelVersion(name: name, version: version, description: description)
        let response: RegistryWire.ModelVersionResponse = try await send(endpoint, body: body)
        return try Self.require(response.modelVersion, "model_version", from: endpoint)
    }

    /// Deletes a model version.
    public func deleteModelVersion(name: String, version: String) async throws {
        let endpoint = MLflowEndpoint.deleteModelVersion
        try MLflowValidation.validateNotEmpty(name, name: "model name", endpoint: endpoint)
        try MLflowValidation.validateNotEmpty(version, name: "version", endpoint: endpoint)
        try await send(endpoint, body: RegistryWire.NameVersion(name: name, version: version))
    }

    /// One page of model versions.
    ///
    /// The server leaves ``ModelVersion/aliases`` empty in these results even when aliases are set;
    /// read aliases from ``searchRegisteredModels(filter:orderBy:maxResults:pageToken:)`` or
    /// ``getModelVersion(name:version:)``.
    ///
    /// - Parameters:
    ///   - filter: A filter such as `name = 'iris'` or `name = 'iris' AND version_number > 2`.
    ///   - orderBy: Sort keys such as `"version_number DESC"`.
    ///   - maxResults: The page size, 1 to ``MLflowLimits/maxModelVersionResults``.
    ///   - pageToken: The previous page's ``Page/nextPageToken``, or `nil` for the first page.
    public func searchModelVersions(
        filter: String? = nil,
        orderBy: [String] = [],
        maxResults: Int = 10_000,
        pageToken: String? = nil
    ) async throws -> Page<ModelVersion> {
        let endpoint = MLflowEndpoint.searchModelVersions
        try MLflowValidation.validateMaxResults(
            maxResults,
            maximum: MLflowLimits.maxModelVersionResults,
            endpoint: endpoint
        )
        let query = Self.searchQuery(filter: filter, orderBy: orderBy, maxResults: maxResults, pageToken: pageToken)
        let response: RegistryWire.SearchModelVersionsResponse = try await send(endpoint, query: query)
        return Self.page(response.modelVersions, response.nextPageToken)
    }

    /// Sets a tag on a model version.
    public func setModelVersionTag(name: String, version: String, key: String, value: String) async throws {
        let endpoint = MLflowEndpoint.setModelVersionTag
        try MLflowValidation.validateNotEmpty(name, name: "model name", endpoint: endpoint)
        try MLflowValidation.validateNotEmpty(version, name: "version", endpoint: endpoint)
        try MLflowValidation.validateKey(key, kind: "model version tag", endpoint: endpoint)
        let body = RegistryWire.SetModelVersionTag(name: name, version: version, key: key, value: value)
        try await send(endpoint, body: body)
    }

    /// Deletes a tag from a model version; deleting an absent tag succeeds.
    public func deleteModelVersionTag(name: String, version: String, key: String) async throws {
        let endpoint = MLflowEndpoint.deleteModelVersionTag
        try MLflowValidation.validateNotEmpty(name, name: "model name", endpoint: endpoint)
        try MLflowValidation.validateNotEmpty(version, name: "version", endpoint: endpoint)
        try await send(endpoint, body: RegistryWire.DeleteModelVersionTag(name: name, version: version, key: key))
    }

    /// Where the files of a model version are, such as `mlflow-artifacts:/1/<run>/artifacts/model`
    /// (or `…/models/m-<id>/artifacts` for an MLflow 3 logged model).
    public func getModelVersionDownloadURI(name: String, version: String) async throws -> String {
        let endpoint = MLflowEndpoint.getModelVersionDownloadURI
        try MLflowValidation.validateNotEmpty(name, name: "model name", endpoint: endpoint)
        try MLflowValidation.validateNotEmpty(version, name: "version", endpoint: endpoint)
        let response: RegistryWire.DownloadURIResponse = try await send(
            endpoint,
            query: [("name", name), ("version", version)]
        )
        return try Self.require(response.artifactURI, "artifact_uri", from: endpoint)
    }
}
