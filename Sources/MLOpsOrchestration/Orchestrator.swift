import MLOpsCore
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// DAGs and their runs: what `mlops dags` and `mlops bootstrap` need from a workflow scheduler.
/// ``AirflowClient`` speaks to Airflow 3 and Airflow 2; tests and other schedulers can conform too.
public protocol Orchestrator: Sendable {
    /// Every DAG, page by page (`dagIDPattern` is a SQL `LIKE` pattern such as `%training%`).
    func listDAGs(dagIDPattern: String?) -> PagedSequence<DAG>
    /// One DAG. Throws ``AirflowError`` with ``AirflowError/isNotFound`` for an unknown ID.
    func dag(_ dagID: String) async throws -> DAG
    /// Pauses or unpauses a DAG and returns it as it now is.
    @discardableResult
    func setPaused(_ dagID: String, _ isPaused: Bool) async throws -> DAG
    /// Starts a run with `conf`, optionally with a run ID and logical date of the caller's choosing.
    func trigger(_ dagID: String, conf: [String: JSONValue], runID: String?, logicalDate: Date?) async throws -> DAGRun
    /// One run as it is now.
    func dagRun(_ dagID: String, runID: String) async throws -> DAGRun
    /// The most recent runs of a DAG, newest first, at most `limit`.
    func dagRuns(_ dagID: String, limit: Int) async throws -> [DAGRun]
    /// The task instances of a run.
    func taskInstances(_ dagID: String, runID: String) async throws -> [TaskInstance]
    /// The log lines of one try (from 1) of a task.
    func taskLog(_ dagID: String, runID: String, taskID: String, tryNumber: Int) async throws -> [String]
}

extension Orchestrator {
    /// The tasks of a run that failed for good, as `task (state)` joined with commas: what a report of a
    /// failed run names.
    public func failedTaskSummary(_ dagID: String, runID: String) async throws -> (tasks: [TaskInstance], summary: String) {
        let failed = try await taskInstances(dagID, runID: runID).filter(\.hasFailed)
        return (failed, failed.map { "\($0.taskID) (\($0.state ?? "?"))" }.joined(separator: ", "))
    }

    /// Polls the run every `interval` until it is ``DAGRun/State/success`` or ``DAGRun/State/failed``,
    /// reporting each poll's run and task instances to `progress`.
    ///
    /// - Throws: ``AirflowError`` with ``AirflowError/Code/timedOut`` (naming the run and its last state)
    ///   when `timeout` passes first; `CancellationError`.
    public func waitForRun(
        _ dagID: String, runID: String, timeout: Duration, interval: Duration = .seconds(1),
        progress: (@Sendable (DAGRun, [TaskInstance]) -> Void)? = nil
    ) async throws -> DAGRun {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let run = try await dagRun(dagID, runID: runID)
            if let progress { progress(run, try await taskInstances(dagID, runID: runID)) }
            if run.state.isTerminal { return run }
            let remaining = deadline - clock.now
            guard remaining > .zero else {
                throw AirflowError(
                    code: .timedOut, status: nil,
                    message: "run \(runID) of \(dagID) is still \(run.state.rawValue) after \(timeout.formattedSeconds)",
                    dagID: dagID)
            }
            try await Task.sleep(for: min(interval, remaining))
        }
    }
}
