import MLOpsCore

extension MLflowClient {
    /// Creates a registered model. A taken name throws ``MLflowError/Code/resourceAlreadyExists``.
    @discardableResult
    public func createRegisteredModel(
        name: String,
        description: String? = nil,
        tags: [RegisteredModelTag] = []
    ) async throws -> RegisteredModel {
        let endpoint = MLflowEndpoint.createRegisteredModel
        try MLflowValidation.validateNotEmpty(name, name: "model name", endpoint: endpoint)
        let body = RegistryWire.CreateRegisteredModel(name: name, description: description, tags: tags)
        let response: RegistryWire.RegisteredModelResponse = try await send(endpoint, body: body)
        return try Self.require(response.registeredModel, "registered_model", from: endpoint)
    }

    /// The registered model called `name`, with its tags, aliases and latest versions.
    public func getRegisteredModel(name: String) async throws -> RegisteredModel {
        let endpoint = MLflowEndpoint.getRegisteredModel
        try MLflowValidation.validateNotEmpty(name, name: "model name", endpoint: endpoint)
        let response: RegistryWire.RegisteredModelResponse = try await send(endpoint, query: [("name", name)])
        return try Self.require(response.registeredModel, "registered_model", from: endpoint)
    }

    /// Renames a registered model and returns it under its new name.
    @discardableResult
    public func renameRegisteredModel(name: String, to newName: String) async throws -> RegisteredModel {
        let endpoint = MLflowEndpoint.renameRegisteredModel
        try MLflowValidation.validateNotEmpty(name, name: "model name", endpoint: endpoint)
        try MLflowValidation.validateNotEmpty(newName, name: "new model name", endpoint: endpoint)
        let body = RegistryWire.Rename(name: name, newName: newName)
        let response: RegistryWire.RegisteredModelResponse = try await send(endpoint, body: body)
        return try Self.require(response.registeredModel, "registered_model", from: endpoint)
    }

    /// Replaces a registered model's description.
    @discardableResult
    public func updateRegisteredModel(name: String, description: String) async throws -> RegisteredModel {
        let endpoint = MLflowEndpoint.updateRegisteredModel
        try MLflowValidation.validateNotEmpty(name, name: "model name", endpoint: endpoint)
        let body = RegistryWire.UpdateRegisteredModel(name: name, description: description)
        let response: RegistryWire.RegisteredModelResponse = try await send(endpoint, body: body)
        return try Self.require(response.registeredModel, "registered_model", from: endpoint)
    }

    /// Deletes a registered model and all its versions.
    public func deleteRegisteredModel(name: String) async throws {
        let endpoint = MLflowEndpoint.deleteRegisteredModel
        try MLflowValidation.validateNotEmpty(name, name: "model name", endpoint: endpoint)
        try await send(endpoint, body: RegistryWire.Name(name: name))
    }

    /// One page of registered models, each with its tags, latest versions and **aliases**.
    ///
    /// To watch many models' aliases this is far cheaper than one get-by-alias per model: one request
    /// covers up to 1000 models.
    ///
    /// - Parameters:
    ///   - filter: A filter such as `name = 'iris'`, `name LIKE 'iris%'` or `tags.team = 'ml'`.
    ///   - orderBy: Sort keys such as `"name ASC"` or `"last_updated_timestamp DESC"`.
    ///   - maxResults: The page size, 1 to ``MLflowLimits/maxRegisteredModelResults``.
    ///   - pageToken: The previous page's ``Page/nextPageToken``, or `nil` for the first page.
    public func searchRegisteredModels(
        filter: String? = nil,
        orderBy: [String] = [],
        maxResults: Int = MLflowLimits.maxRegisteredModelResults,
        pageToken: String? = nil
    ) async throws -> Page<RegisteredModel> {
        let endpoint = MLflowEndpoint.searchRegisteredModels
        try MLflowValidation.validateMaxResults(
            maxResults,
            maximum: MLflowLimits.maxRegisteredModelResults,
            endpoint: endpoint
        )
        let query = Self.searchQuery(filter: filter, orderBy: orderBy, maxResults: maxResults, pageToken: pageToken)
        let response: RegistryWire.SearchRegisteredModelsResponse = try await send(endpoint, query: query)
        return Self.page(response.registeredModels, response.nextPageToken)
    }

    /// Sets a tag on a registered model.
    public func setRegisteredModelTag(name: String, key: String, value: String) async throws {
        let endpoint = MLflowEndpoint.setRegisteredModelTag
        try MLflowValidation.validateNotEmpty(name, name: "model name", endpoint: endpoint)
        try MLflowValidation.validateKey(key, kind: "model tag", endpoint: endpoint)
        try await send(endpoint, body: RegistryWire.SetRegisteredModelTag(name: name, key: key, value: value))
    }

    /// Deletes a tag from a registered model; deleting an absent tag succeeds.
    public func deleteRegisteredModelTag(name: String, key: String) async throws {
        let endpoint = MLflowEndpoint.deleteRegisteredModelTag
        try MLflowValidation.validateNotEmpty(name, name: "model name", endpoint: endpoint)
        try await send(endpoint, body: RegistryWire.DeleteRegisteredModelTag(name: name, key: key))
    }

    // MARK: Aliases

    /// Points `alias` at `version` of model `name`, moving it if it pointed elsewhere.
    ///
    /// Aliases are case-sensitive. The server reserves `latest` and `v<number>`.
    public func setRegisteredModelAlias(name: String, alias: String, version: String) async throws {
        let endpoint = MLflowEndpoint.setRegisteredModelAlias
        try MLflowValidation.validateNotEmpty(name, name: "model name", endpoint: endpoint)
        try MLflowValidation.validateNotEmpty(alias, name: "alias", endpoint: endpoint)
        try MLflowValidation.validateNotEmpty(version, name: "version", endpoint: endpoint)
        try await send(endpoint, body: RegistryWire.SetAlias(name: name, alias: alias, version: version))
    }

    /// Removes an alias from model `name`; removing an absent alias succeeds.
    public func deleteRegisteredModelAlias(name: String, alias: String) async throws {
        let endpoint = MLflowEndpoint.deleteRegisteredModelAlias
        try MLflowValidation.validateNotEmpty(name, name: "model name", endpoint: endpoint)
        try MLflowValidation.validateNotEmpty(alias, name: "alias", endpoint: endpoint)
        try await send(endpoint, body: RegistryWire.DeleteAlias(name: name, alias: alias))
    }

    /// The version of model `name` that `alias` points to, including its aliases.
    ///
    /// - Throws: ``MLflowError`` with ``MLflowError/isNotFound`` set when the model or the alias does not
    ///   exist. For a missing alias of an existing model (which the server reports as HTTP 400
    ///   `INVALID_PARAMETER_VALUE`) the code is ``MLflowError/Code/resourceDoesNotExist``, the message
    ///   names the model and the alias, and ``MLflowError/isAliasNotFound`` is set.
    public func getModelVersion(name: String, alias: String) async throws -> ModelVersion {
        let endpoint = MLflowEndpoint.getModelVersionByAlias
        try MLflowValidation.validateNotEmpty(name, name: "model name", endpoint: endpoint)
        try MLflowValidation.validateNotEmpty(alias, name: "alias", endpoint: endpoint)
        let response: RegistryWire.ModelVersionResponse
        do {
            response = try await send(endpoint, query: [("name", name), ("alias", alias)])
        } catch let error as MLflowError where Self.isMissingAliasError(error) {
            var mapped = MLflowError(
                code: .resourceDoesNotExist,
                httpStatus: error.httpStatus,
                message: "registered model '\(name)' has no alias '\(alias)' (server: \(error.message))",
                endpoint: error.endpoint,
                errorClass: error.errorClass
            )
            mapped.aliasMissing = true
            throw mapped
        }
        return try Self.require(response.modelVersion, "model_version", from: endpoint)
    }

    /// Whether `error` is the server's "Registered model alias X not found." answer to get-by-alias.
    static func isMissingAliasError(_ error: MLflowError) -> Bool {
        guard error.code == .invalidParameterValue || error.code == .resourceDoesNotExist else { return false }
        let message = error.message.lowercased()
        return message.contains("alias") && message.contains("not found")
            && !message.contains("registered model with name")
    }

    /// The query of a registry search: filter, order, page size and token.
    static func searchQuery(
        filter: String?,
        orderBy: [String],
        maxResults: Int,
        pageToken: String?
    ) -> [(name: String, value: String)] {
        var query: [(name: String, value: String)] = []
        if let filter, !filter.isEmpty { query.append(("filter", filter)) }
        query.append(("max_results", String(maxResults)))
        for key in orderBy { query.append(("order_by", key)) }
        if let pageToken { query.append(("page_token", pageToken)) }
        return query
    }
}
