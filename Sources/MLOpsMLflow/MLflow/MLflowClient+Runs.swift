import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension MLflowClient {
    /// Milliseconds since 1970 for `date`, the unit of every MLflow timestamp.
    public static func timestamp(_ date: Date = Date()) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// Creates a run in an experiment.
    ///
    /// - Parameters:
    ///   - experimentID: The experiment to create the run in.
    ///   - runName: The display name; the server invents one when `nil`.
    ///   - startTime: Milliseconds since 1970; now when `nil`.
    ///   - tags: Tags to set on the new run (checked against the key and value limits first).
    ///   - userID: The user to record; the server records an empty string when `nil`.
    /// - Returns: The new run, with status ``RunStatus/running`` and its artifact URI.
    public func createRun(
        experimentID: String,
        runName: String? = nil,
        startTime: Int64? = nil,
        tags: [RunTag] = [],
        userID: String? = nil
    ) async throws -> Run {
        let endpoint = MLflowEndpoint.createRun
        for tag in tags {
            try MLflowValidation.validateTag(key: tag.key, value: tag.value, endpoint: endpoint)
        }
        let body = TrackingWire.CreateRun(
            experimentID: experimentID,
            userID: userID,
            runName: runName,
            startTime: startTime ?? Self.timestamp(),
            tags: tags
        )
        let response: TrackingWire.RunResponse = try await send(endpoint, body: body)
        return try Self.require(response.run, "run", from: endpoint)
    }

    /// The run with ID `id`, with the latest value of each metric, its params and tags.
    /// Deleted runs are returned too (see ``RunInfo/lifecycleStage``).
    public func getRun(id: String) async throws -> Run {
        let endpoint = MLflowEndpoint.getRun
        try MLflowValidation.validateNotEmpty(id, name: "run ID", endpoint: endpoint)
        let response: TrackingWire.RunResponse = try await send(endpoint, query: [("run_id", id)])
        return try Self.require(response.run, "run", from: endpoint)
    }

    /// Changes a run's status, end time or name. `nil` leaves a field as it is.
    ///
    /// To end a run: `updateRun(id: id, status: .finished, endTime: MLflowClient.timestamp())`.
    /// - Returns: The run's info after the change.
    @discardableResult
    public func updateRun(
        id: String,
        status: RunStatus? = nil,
        endTime: Int64? = nil,
        runName: String? = nil
    ) async throws -> RunInfo {
        let endpoint = MLflowEndpoint.updateRun
        try MLflowValidation.validateNotEmpty(id, name: "run ID", endpoint: endpoint)
        let body = TrackingWire.UpdateRun(runID: id, status: status, endTime: endTime, runName: runName)
        let response: TrackingWire.UpdateRunResponse = try await send(endpoint, body: body)
        return try Self.require(response.runInfo, "run_info", from: endpoint)
    }

    /// Marks a run as deleted. ``restoreRun(id:)`` undoes it.
    public func deleteRun(id: String) async throws {
        try MLflowValidation.validateNotEmpty(id, name: "run ID", endpoint: .deleteRun)
        try await send(.deleteRun, body: TrackingWire.RunID(runID: id))
    }

    /// Restores a deleted run.
    public func restoreRun(id: String) async throws {
        try MLflowValidation.validateNotEmpty(id, name: "run ID", endpoint: .restoreRun)
        try await send(.restoreRun, body: TrackingWire.RunID(runID: id))
    }

    /// One page of runs.
    ///
    /// - Parameters:
    ///   - experimentIDs: The experiments to search; no runs when empty.
    ///   - filter: A filter such as `metrics.rmse < 0.3 and params.alpha != '9'`. MLflow rejects `OR`.
    ///   - orderBy: Sort keys such as `"metrics.rmse DESC"` or `"attributes.start_time"`.
    ///   - viewType: Which lifecycle stages to include.
    ///   - maxResults: The page size, 1 to ``MLflowLimits/maxSearchResults``.
    ///   - pageToken: The previous page's ``Page/nextPageToken``, or `nil` for the first page.
    public func searchRuns(
        experimentIDs: [String],
        filter: String? = nil,
        orderBy: [String] = [],
        viewType: ViewType = .activeOnly,
        maxResults: Int = 1000,
        pageToken: String? = nil
    ) async throws -> Page<Run> {
        let endpoint = MLflowEndpoint.searchRuns
        try MLflowValidation.validateMaxResults(maxResults, maximum: MLflowLimits.maxSearchResults, endpoint: endpoint)
        let body = TrackingWire.SearchRuns(
            experimentIDs: experimentIDs,
            filter: filter,
            runViewType: viewType,
            maxResults: maxResults,
            orderBy: orderBy,
            pageToken: pageToken
        )
        let response: TrackingWire.SearchRunsResponse = try await send(endpoint, body: body)
        return Self.page(response.runs, response.nextPageToken)
    }

    /// The artifact location of an MLflow 3 logged model, such as `mlflow-artifacts:/7/models/m-…/artifacts`.
    ///
    /// - Parameter modelID: The logged model's ID, `m-` followed by 32 hex digits.
    public func getLoggedModelArtifactURI(modelID: String) async throws -> String {
        let endpoint = MLflowEndpoint.getLoggedModel(id: modelID)
        try MLflowValidation.validateNotEmpty(modelID, name: "logged model ID", endpoint: endpoint)
        let response: TrackingWire.LoggedModelResponse = try await send(endpoint)
        return try Self.require(response.model?.info?.artifactURI, "model.info.artifact_uri", from: endpoint)
    }
}
