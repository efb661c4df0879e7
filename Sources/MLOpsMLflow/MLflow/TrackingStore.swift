import MLOpsCore

/// The tracking half of MLflow: experiments, runs, and the metrics, params and tags logged to runs.
///
/// ``MLflowClient`` implements it over REST; tests and embedding applications can supply their own.
/// Methods throw ``MLflowError`` for failures the store reports.
public protocol TrackingStore: Sendable {
    // MARK: Experiments

    /// Creates an experiment and returns its ID.
    func createExperiment(name: String, artifactLocation: String?, tags: [ExperimentTag]) async throws -> String
    /// The experiment with ID `id`, including a deleted one.
    func getExperiment(id: String) async throws -> Experiment
    /// The experiment called `name`, preferring an active one over deleted ones.
    func getExperiment(name: String) async throws -> Experiment
    /// One page of experiments matching `filter` (such as `name LIKE 'iris-%'`), sorted by `orderBy`.
    func searchExperiments(
        filter: String?,
        orderBy: [String],
        viewType: ViewType,
        maxResults: Int,
        pageToken: String?
    ) async throws -> Page<Experiment>
    /// Marks an experiment and its runs as deleted.
    func deleteExperiment(id: String) async throws
    /// Restores a deleted experiment and its runs.
    func restoreExperiment(id: String) async throws
    /// Renames an experiment.
    func renameExperiment(id: String, to newName: String) async throws
    /// Sets a tag on an experiment, replacing any earlier value.
    func setExperimentTag(experimentID: String, key: String, value: String) async throws

    // MARK: Runs

    /// Creates a run in an experiment and returns it (status ``RunStatus/running``).
    func createRun(
        experimentID: String,
        runName: String?,
        startTime: Int64?,
        tags: [RunTag],
        userID: String?
    ) async throws -> Run
    /// The run with ID `id`, with the latest value of each metric, its params and tags.
    func getRun(id: String) async throws -> Run
    /// Changes a run's status, end time or name; `nil` leaves a field unchanged. Returns the new info.
    func updateRun(id: String, status: RunStatus?, endTime: Int64?, runName: String?) async throws -> RunInfo
    /// Marks a run as deleted.
    func deleteRun(id: String) async throws
    /// Restores a deleted run.
    func restoreRun(id: String) async throws
    /// One page of runs in `experimentIDs` matching `filter` (such as `metrics.rmse < 0.3`).
    func searchRuns(
        experimentIDs: [String],
        filter: String?,
        orderBy: [String],
        viewType: ViewType,
        maxResults: Int,
        pageToken: String?
    ) async throws -> Page<Run>

    // MARK: Logging

    /// Logs one metric value. `timestamp` is in milliseconds since 1970; `step` defaults to 0.
    func logMetric(runID: String, key: String, value: Double, timestamp: Int64, step: Int64?) async throws
    /// Logs a parameter. Logging the same key again with a different value fails.
    func logParam(runID: String, key: String, value: String) async throws
    /// Sets a tag on a run, replacing any earlier value.
    func setTag(runID: String, key: String, value: String) async throws
    /// Deletes a tag from a run.
    func deleteTag(runID: String, key: String) async throws
    /// Logs metrics, params and tags together, in as few requests as the server's limits allow.
    func logBatch(runID: String, metrics: [Metric], params: [Param], tags: [RunTag]) async throws
    /// One page of all values logged for the metric `key` of a run.
    func getMetricHistory(runID: String, key: String, maxResults: Int, pageToken: String?) async throws -> Page<Metric>

    // MARK: Logged models

    /// The artifact location of an MLflow 3 logged model (`m-…`), such as
    /// `mlflow-artifacts:/7/models/m-…/artifacts`.
    func getLoggedModelArtifactURI(modelID: String) async throws -> String
}
