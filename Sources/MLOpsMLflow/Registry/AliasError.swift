import MLOpsCore

/// A promotion or rollback that cannot be done, with what was wrong named.
public struct AliasError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// No candidate version's run has the metric.
        case noCandidateHasMetric(metric: String, candidates: [String])
        /// The candidate set is empty (no READY versions, or the candidate alias is unset).
        case noCandidates(PromotionCandidates)
        /// There is no recorded previous version to roll back to.
        case nothingToRollBack
    }

    public var model: String
    public var alias: String
    public var reason: Reason

    public init(model: String, alias: String, reason: Reason) {
        self.model = model
        self.alias = alias
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .noCandidateHasMetric(let metric, let candidates):
            "no candidate version of model '\(model)' has metric '\(metric)' (checked versions: "
                + "\(candidates.isEmpty ? "none" : candidates.joined(separator: ", ")))"
        case .noCandidates(let candidates):
            "model '\(model)' has no candidate versions for '\(candidates)'"
        case .nothingToRollBack:
            "alias '\(alias)' of model '\(model)' has no recorded previous version to roll back to"
        }
    }
}
