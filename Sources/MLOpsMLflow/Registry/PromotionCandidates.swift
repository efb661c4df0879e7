import MLOpsCore

/// Which versions of a registered model `alias promote` considers.
public enum PromotionCandidates: Sendable, Hashable, CustomStringConvertible {
    /// Every version whose status is READY.
    case all
    /// The version behind another alias, such as `Test`.
    case alias(String)
    /// The `count` highest version numbers.
    case latest(Int)

    /// Parses `all`, `alias:NAME` or `latest:N`.
    public init?(argument: String) {
        if argument == "all" {
            self = .all
        } else if argument.hasPrefix("alias:"), argument.count > 6 {
            self = .alias(String(argument.dropFirst(6)))
        } else if argument.hasPrefix("latest:"), let count = Int(argument.dropFirst(7)), count > 0 {
            self = .latest(count)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .all: "all"
        case .alias(let alias): "alias:\(alias)"
        case .latest(let count): "latest:\(count)"
        }
    }
}

/// Whether a higher or a lower metric value is better.
public enum MetricGoal: String, Sendable, Hashable, CaseIterable, Codable {
    /// Higher is better (accuracy, F1).
    case max
    /// Lower is better (RMSE, loss).
    case min

    func isBetter(_ candidate: Double, than current: Double) -> Bool {
        self == .max ? candidate > current : candidate < current
    }
}
