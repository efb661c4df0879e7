import MLOpsCore
import MLOpsMLflow
import MLOpsOrchestration
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The original stack's start-up script made dependable: wait for the services with a deadline, reset
/// MLflow when asked (soft-deleting, so it can be undone), unpause and trigger the DAGs in order —
/// waiting for each to succeed before the next when asked — then report every service's health and
/// what each step did. Nothing waits forever and every failure is reported with what failed.
///
/// ```swift
/// let bootstrap = Bootstrap(
///     tracking: configuration.makeMLflowClient(), orchestrator: configuration.makeAirflowClient(),
///     checks: try configuration.healthChecks(required: ["mlflow", "airflow"]))
/// let report = await bootstrap.run(Bootstrap.Plan()) { step in print(step.name, step.outcome) }
/// ```
public struct Bootstrap: Sendable {
    /// What to do.
    public struct Plan: Sendable, Hashable {
        /// How long to wait for the required services.
        public var servicesTimeout: Duration = .seconds(300)
        /// Soft-delete every experiment but `Default` (`BOOTSTRAP_RESET_MLFLOW`).
        public var resetMLflow = false
        /// The DAGs to unpause and trigger, in order.
        public var dags = ["dag_data_predictions", "dag_training"]
        /// Each triggered run's conf.
        public var conf: [String: JSONValue] = [:]
        /// Whether to wait for each run to succeed before triggering the next.
        public var waitsForRuns = true
        /// How long each run may take when waited for.
        public var runTimeout: Duration = .seconds(600)

        public init() {}
    }

    public let tracking: any TrackingStore
    public let orchestrator: any Orchestrator
    public let checks: [HealthCheck]
    public let healthChecker: HealthChecker

    /// A bootstrap of the services `checks` names (its required ones are waited for).
    public init(
        tracking: any TrackingStore, orchestrator: any Orchestrator, checks: [HealthCheck],
        healthChecker: HealthChecker = HealthChecker()
    ) {
        self.tracking = tracking
        self.orchestrator = orchestrator
        self.checks = checks
        self.healthChecker = healthChecker
    }

    /// Runs the plan, reporting each step to `progress` as it ends. Never throws: a failed step is in
    /// the report, and the steps that needed it are skipped.
    public func run(_ plan: Plan, progress: (@Sendable (BootstrapStep) -> Void)? = nil) async -> BootstrapReport {
        var steps: [BootstrapStep] = []
        func record(_ step: BootstrapStep) {
            steps.append(step)
            progress?(step)
        }

        let waited: HealthReport
        do {
            waited = try await healthChecker.waitUntilRequiredServicesAreUp(checks, timeout: plan.servicesTimeout)
        } catch {
            record(BootstrapStep(name: "wait for services", outcome: .failed, detail: "cancelled"))
            return BootstrapReport(steps: steps, health: HealthReport(results: []))
        }
        let servicesUp = waited.requiredServicesAreUp
        record(
            BootstrapStep(
                name: "wait for services", outcome: servicesUp ? .ok : .failed,
                detail: servicesUp
                    ? "required services up: " + waited.results.filter(\.isRequired).map(\.name).joined(separator: ", ")
                    : "still down after \(plan.servicesTimeout.formattedSeconds): "
                        + waited.requiredServicesDown.map { "\($0.name) (\($0.detail))" }.joined(separator: ", ")))

        if plan.resetMLflow {
            if servicesUp {
                record(await resetMLflow())
            } else {
                record(BootstrapStep(name: "reset MLflow", outcome: .skipped, detail: "services not up"))
            }
        }

        var blocked: String? = servicesUp ? nil : "services not up"
        for dagID in plan.dags {
            if let blocked {
                record(BootstrapStep(name: "run \(dagID)", outcome: .skipped, detail: blocked))
                continue
            }
            let step = await runDAG(dagID, plan: plan)
            record(step)
            if step.outcome == .failed { blocked = "\(dagID) failed" }
        }

        let health = await healthChecker.check(checks)
        return BootstrapReport(steps: steps, health: health)
    }

    /// Soft-deletes every active experiment but `Default` (ID 0).
    func resetMLflow() async -> BootstrapStep {
        do {
            var deleted: [String] = []
            for try await experiment in tracking.allExperiments() where experiment.experimentID != "0" {
                try await tracking.deleteExperiment(id: experiment.experimentID)
                deleted.append(experiment.name)
            }
            return BootstrapStep(
                name: "reset MLflow", outcome: .ok,
                detail: deleted.isEmpty
                    ? "no experiments but Default"
                    : "deleted \(deleted.count) experiment\(deleted.count == 1 ? "" : "s") (restorable): \(deleted.joined(separator: ", "))")
        } catch {
            return BootstrapStep(name: "reset MLflow", outcome: .failed, detail: "\(error)")
        }
    }

    /// Unpauses, triggers and (when asked) waits for one DAG.
    func runDAG(_ dagID: String, plan: Plan) async -> BootstrapStep {
        let name = "run \(dagID)"
        do {
            try await orchestrator.setPaused(dagID, false)
            let run = try await orchestrator.trigger(dagID, conf: plan.conf, runID: nil, logicalDate: nil)
            guard plan.waitsForRuns else {
                return BootstrapStep(name: name, outcome: .ok, detail: "unpaused and triggered \(run.runID)", runID: run.runID)
            }
            let finished = try await orchestrator.waitForRun(dagID, runID: run.runID, timeout: plan.runTimeout)
            guard finished.state == .success else {
                let (failed, tasks) = try await orchestrator.failedTaskSummary(dagID, runID: run.runID)
                return BootstrapStep(
                    name: name, outcome: .failed,
                    detail: "run \(run.runID) \(finished.state)" + (tasks.isEmpty ? "" : ": \(tasks)"), runID: run.runID,
                    failedTasks: failed.map(\.taskID))
            }
            return BootstrapStep(name: name, outcome: .ok, detail: "run \(run.runID) succeeded", runID: run.runID)
        } catch {
            return BootstrapStep(name: name, outcome: .failed, detail: "\(error)")
        }
    }
}

/// What one step of a ``Bootstrap`` did.
public struct BootstrapStep: Sendable, Hashable, Codable {
    /// How a step ended.
    public enum Outcome: String, Sendable, Hashable, Codable {
        case ok, failed, skipped
    }

    public var name: String
    public var outcome: Outcome
    public var detail: String
    /// The DAG run started, for DAG steps.
    public var runID: String?
    /// The tasks that failed, for a failed run.
    public var failedTasks: [String]

    public init(name: String, outcome: Outcome, detail: String, runID: String? = nil, failedTasks: [String] = []) {
        self.name = name
        self.outcome = outcome
        self.detail = detail
        self.runID = runID
        self.failedTasks = failedTasks
    }

    enum CodingKeys: String, CodingKey {
        case name, outcome, detail
        case runID = "run_id"
        case failedTasks = "failed_tasks"
    }
}

/// Everything a ``Bootstrap`` did, and the services' health at the end.
public struct BootstrapReport: Sendable, Hashable, Codable {
    public var steps: [BootstrapStep]
    public var health: HealthReport

    /// Whether every step succeeded or was not asked for.
    public var succeeded: Bool { steps.allSatisfy { $0.outcome == .ok } }
}
