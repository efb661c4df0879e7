import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads, promotes and rolls back registered model aliases.
///
/// Promotion picks the best candidate version by a metric of the run that produced it and moves the
/// alias there. The version the alias left is recorded on the registered model as the tag
/// `mlops.alias.<alias>.previous`, on the server, so any user or machine can roll back.
public struct AliasManager: Sendable {
    /// The registered-model tag that records the version an alias pointed at before its last move.
    public static func previousVersionTag(for alias: String) -> String { "mlops.alias.\(alias).previous" }

    /// The aliases the original toolkit reports by default.
    public static let defaultStatusAliases = ["dev", "test", "Production"]

    private let registry: any ModelRegistry
    private let tracking: any TrackingStore
    private let concurrency: Int

    public init(registry: any ModelRegistry, tracking: any TrackingStore, concurrency: Int = 8) {
        self.registry = registry
        self.tracking = tracking
        self.concurrency = max(1, concurrency)
    }

    // MARK: Status

    /// What each alias of `model` points at; an alias that cannot be read carries the error message,
    /// as in the original toolkit.
    public func status(model: String, aliases: [String]) async -> [String: AliasStatus] {
        await withTaskGroup(of: (String, AliasStatus).self) { group in
            for alias in aliases {
                group.addTask {
                    do {
                        let version = try await registry.getModelVersion(name: model, alias: alias)
                        return (alias, .assigned(version: version.version, runID: version.runID, stage: version.currentStage))
                    } catch let error as MLflowError {
                        return (alias, .failed(error.message))
                    } catch {
                        return (alias, .failed("\(error)"))
                    }
                }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
    }

    // MARK: Promotion

    /// One candidate and the metric value of its run (`nil` when the run lacks the metric).
    public struct Candidate: Sendable, Equatable, Codable {
        public var version: String
        public var runID: String?
        public var value: Double?
    }

    /// What ``promote(model:alias:metric:goal:candidates:dryRun:)`` did or would do.
    public struct Promotion: Sendable, Equatable, Codable {
        public var model: String
        public var alias: String
        public var metric: String
        public var goal: MetricGoal
        /// The version the alias pointed at before, if any.
        public var previousVersion: String?
        /// The chosen version.
        public var version: String
        public var value: Double
        /// Whether the alias moved (false when it already pointed at the best version, or on a dry run).
        public var changed: Bool
        public var dryRun: Bool
        public var candidates: [Candidate]
    }

    /// Moves `alias` of `model` to the candidate version whose run has the best `metric`.
    ///
    /// Ties keep the higher version number. Candidates whose run lacks the metric are skipped; when none
    /// has it, ``AliasError/Reason/noCandidateHasMetric(metric:candidates:)`` is thrown and nothing changes.
    public func promote(
        model: String,
        alias: String,
        metric: String,
        goal: MetricGoal = .max,
        candidates selection: PromotionCandidates = .all,
        dryRun: Bool = false
    ) async throws -> Promotion {
        let versions = try await candidateVersions(model: model, selection: selection)
        guard !versions.isEmpty else {
            throw AliasError(model: model, alias: alias, reason: .noCandidates(selection))
        }
        let scored = try await score(versions, metric: metric)
        var best: Candidate?
        for candidate in scored {
            guard let value = candidate.value, !value.isNaN else { continue }
            if let current = best, let currentValue = current.value {
                let better = goal.isBetter(value, than: currentValue)
                let tieWithHigherVersion = value == currentValue && candidate.version.versionNumber > current.version.versionNumber
                if better || tieWithHigherVersion { best = candidate }
            } else {
                best = candidate
            }
        }
        guard let best, let value = best.value else {
            throw AliasError(
                model: model, alias: alias,
                reason: .noCandidateHasMetric(metric: metric, candidates: scored.map(\.version)))
        }
        let previous = try await currentVersion(model: model, alias: alias)
        let changes = previous != best.version
        if changes && !dryRun {
            if let previous {
                try await registry.setRegisteredModelTag(
                    name: model, key: Self.previousVersionTag(for: alias), value: previous)
            }
            try await registry.setRegisteredModelAlias(name: model, alias: alias, version: best.version)
        }
        return Promotion(
            model: model, alias: alias, metric: metric, goal: goal, previousVersion: previous,
            version: best.version, value: value, changed: changes && !dryRun, dryRun: dryRun, candidates: scored)
    }

    // MARK: Rollback

    /// What ``rollback(model:alias:)`` did.
    public struct Rollback: Sendable, Equatable, Codable {
        public var model: String
        public var alias: String
        /// The version the alias pointed at before the rollback.
        public var fromVersion: String?
        /// The version it points at now.
        public var toVersion: String
    }

    /// Points `alias` back at the version recorded by the last promotion, and records the version it
    /// leaves, so a second rollback undoes the first.
    public func rollback(model: String, alias: String) async throws -> Rollback {
        let registered = try await registry.getRegisteredModel(name: model)
        let tag = Self.previousVersionTag(for: alias)
        guard let previous = registered.tags.first(where: { $0.key == tag })?.value, !previous.isEmpty else {
            throw AliasError(model: model, alias: alias, reason: .nothingToRollBack)
        }
        let current = registered.aliases.first { $0.alias == alias }?.version
        // Check that the recorded version still exists before moving anything.
        _ = try await registry.getModelVersion(name: model, version: previous)
        if let current {
            try await registry.setRegisteredModelTag(name: model, key: tag, value: current)
        }
        try await registry.setRegisteredModelAlias(name: model, alias: alias, version: previous)
        return Rollback(model: model, alias: alias, fromVersion: current, toVersion: previous)
    }

    // MARK: Moving by hand

    /// What ``setAlias(model:alias:version:)`` or ``removeAlias(model:alias:)`` did.
    public struct Move: Sendable, Equatable, Codable {
        public var model: String
        public var alias: String
        /// The version the alias points at now; `nil` after a removal.
        public var version: String?
        /// The version it pointed at before; `nil` when it was unset.
        public var previousVersion: String?
        /// Whether anything changed on the server.
        public var changed: Bool
    }

    /// Points `alias` at `version`, recording the version it leaves for ``rollback(model:alias:)``.
    public func setAlias(model: String, alias: String, version: String) async throws -> Move {
        let previous = try await registry.getRegisteredModel(name: model).version(forAlias: alias)
        let changes = previous != version
        if changes {
            try await registry.setRegisteredModelAlias(name: model, alias: alias, version: version)
            if let previous {
                try await registry.setRegisteredModelTag(name: model, key: Self.previousVersionTag(for: alias), value: previous)
            }
        }
        return Move(model: model, alias: alias, version: version, previousVersion: previous, changed: changes)
    }

    /// Removes `alias`, recording the version it pointed at for ``rollback(model:alias:)``. Removing an
    /// alias the model does not have changes nothing.
    public func removeAlias(model: String, alias: String) async throws -> Move {
        let previous = try await registry.getRegisteredModel(name: model).version(forAlias: alias)
        if let previous {
            try await registry.setRegisteredModelTag(name: model, key: Self.previousVersionTag(for: alias), value: previous)
            try await registry.deleteRegisteredModelAlias(name: model, alias: alias)
        }
        return Move(model: model, alias: alias, version: nil, previousVersion: previous, changed: previous != nil)
    }

    // MARK: Helpers

    private func currentVersion(model: String, alias: String) async throws -> String? {
        let registered = try await registry.getRegisteredModel(name: model)
        return registered.aliases.first { $0.alias == alias }?.version
    }

    private func candidateVersions(model: String, selection: PromotionCandidates) async throws -> [ModelVersion] {
        switch selection {
        case .alias(let other):
            do {
                return [try await registry.getModelVersion(name: model, alias: other)]
            } catch let error as MLflowError where error.isAliasNotFound {
                return []
            }
        case .all, .latest:
            _ = try await registry.getRegisteredModel(name: model)  // names an unknown model clearly
            var versions: [ModelVersion] = []
            for try await version in registry.allModelVersions(filter: SearchFilter.versions(ofModel: model))
            where version.status == .ready {
                versions.append(version)
            }
            versions.sort { $0.version.versionNumber > $1.version.versionNumber }
            if case .latest(let count) = selection { versions = Array(versions.prefix(count)) }
            return versions
        }
    }

    private func score(_ versions: [ModelVersion], metric: String) async throws -> [Candidate] {
        var results: [Int: Candidate] = [:]
        try await withThrowingTaskGroup(of: (Int, Candidate).self) { group in
            var next = 0
            func addNext() {
                guard next < versions.count else { return }
                let index = next
                let version = versions[index]
                next += 1
                group.addTask {
                    guard let runID = version.runID, !runID.isEmpty else {
                        return (index, Candidate(version: version.version, runID: nil, value: nil))
                    }
                    let run = try await tracking.getRun(id: runID)
                    let value = run.data.metrics.first { $0.key == metric }?.value
                    return (index, Candidate(version: version.version, runID: runID, value: value))
                }
            }
            for _ in 0..<concurrency { addNext() }
            while let (index, candidate) = try await group.next() {
                results[index] = candidate
                addNext()
            }
        }
        return versions.indices.compactMap { results[$0] }
    }

}

extension String {
    /// The integer value of a model version string, for ordering; 0 when it is not a number.
    var versionNumber: Int { Int(self) ?? 0 }
}
