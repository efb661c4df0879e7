import MLOpsCore

extension MLflowClient {
    /// Creates an experiment and returns its ID.
    ///
    /// - Parameters:
    ///   - name: A unique name. A taken name throws ``MLflowError/Code/resourceAlreadyExists``.
    ///   - artifactLocation: Where runs store artifacts; the server's default when `nil`.
    ///   - tags: Tags to set on the new experiment.
    public func createExperiment(
        name: String,
        artifactLocation: String? = nil,
        tags: [ExperimentTag] = []
    ) async throws -> String {
        let endpoint = MLflowEndpoint.createExperiment
        try MLflowValidation.validateNotEmpty(name, name: "experiment name", endpoint: endpoint)
        let body = TrackingWire.CreateExperiment(name: name, artifactLocation: artifactLocation, tags: tags)
        let response: TrackingWire.CreateExperimentResponse = try await send(endpoint, body: body)
        return try Self.require(response.experimentID, "experiment_id", from: endpoint)
    }

    /// The experiment with ID `id`, including a deleted one (see ``Experiment/lifecycleStage``).
    public func getExperiment(id: String) async throws -> Experiment {
        let endpoint = MLflowEndpoint.getExperiment
        try MLflowValidation.validateNotEmpty(id, name: "experiment ID", endpoint: endpoint)
        let response: TrackingWire.ExperimentResponse = try await send(endpoint, query: [("experiment_id", id)])
        return try Self.require(response.experiment, "experiment", from: endpoint)
    }

    /// The experiment called `name`. A missing name throws a not-found ``MLflowError``.
    public func getExperiment(name: String) async throws -> Experiment {
        let endpoint = MLflowEndpoint.getExperimentByName
        try MLflowValidation.validateNotEmpty(name, name: "experiment name", endpoint: endpoint)
        let response: TrackingWire.ExperimentResponse = try await send(
            endpoint,
            query: [("experiment_name", name)]
        )
        return try Self.require(response.experiment, "experiment", from: endpoint)
    }

    /// One page of experiments.
    ///
    /// - Parameters:
    ///   - filter: A filter such as `name LIKE 'iris-%'` or `tags.team = 'swift'`; all when `nil`.
    ///   - orderBy: Sort keys such as `"name ASC"` or `"last_update_time DESC"`.
    ///   - viewType: Which lifecycle stages to include.
    ///   - maxResults: The page size, 1 to ``MLflowLimits/maxSearchResults``. Always sent, because the
    ///     server rejects searches without it.
    ///   - pageToken: The previous page's ``Page/nextPageToken``, or `nil` for the first page.
    public func searchExperiments(
        filter: String? = nil,
        orderBy: [String] = [],
        viewType: ViewType = .activeOnly,
        maxResults: Int = 1000,
        pageToken: String? = nil
    ) async throws -> Page<Experiment> {
        let endpoint = MLflowEndpoint.searchExperiments
        try MLflowValidation.validateMaxResults(maxResults, maximum: MLflowLimits.maxSearchResults, endpoint: endpoint)
        let body = TrackingWire.SearchExperiments(
            maxResults: maxResults,
            pageToken: pageToken,
            filter: filter,
            orderBy: orderBy,
            viewType: viewType
        )
        let response: TrackingWire.SearchExperimentsResponse = try await send(endpoint, body: body)
        return Self.page(response.experiments, response.nextPageToken)
    }

    /// Marks an experiment and its runs as deleted. ``restoreExperiment(id:)`` undoes it.
    public func deleteExperiment(id: String) async throws {
        try MLflowValidation.validateNotEmpty(id, name: "experiment ID", endpoint: .deleteExperiment)
        try await send(.deleteExperiment, body: TrackingWire.ExperimentID(experimentID: id))
    }

    /// Restores a deleted experiment and its runs.
    public func restoreExperiment(id: String) async throws {
        try MLflowValidation.validateNotEmpty(id, name: "experiment ID", endpoint: .restoreExperiment)
        try await send(.restoreExperiment, body: TrackingWire.ExperimentID(experimentID: id))
    }

    /// Renames an experiment.
    public func renameExperiment(id: String, to newName: String) async throws {
        let endpoint = MLflowEndpoint.updateExperiment
        try MLflowValidation.validateNotEmpty(newName, name: "new experiment name", endpoint: endpoint)
        try await send(endpoint, body: TrackingWire.UpdateExperiment(experimentID: id, newName: newName))
    }

    /// Sets a tag on an experiment, replacing any earlier value.
    public func setExperimentTag(experimentID: String, key: String, value: String) async throws {
        let endpoint = MLflowEndpoint.setExperimentTag
        try MLflowValidation.validateKey(key, kind: "experiment tag", endpoint: endpoint)
        try await send(
            endpoint,
            body: TrackingWire.SetExperimentTag(experimentID: experimentID, key: key, value: value)
        )
    }
}
