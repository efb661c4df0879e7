import MLOpsCore

/// What one alias of a registered model points at, in the shape of the original toolkit's
/// `alias status` output: `{"version", "run_id", "stage"}` or `{"error"}`.
public enum AliasStatus: Sendable, Equatable, Codable {
    case assigned(version: String, runID: String?, stage: String?)
    case failed(String)

    private enum CodingKeys: String, CodingKey {
        case version, runID = "run_id", stage, error
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let error = try container.decodeIfPresent(String.self, forKey: .error) {
            self = .failed(error)
        } else {
            self = .assigned(
                version: try container.decode(String.self, forKey: .version),
                runID: try container.decodeIfPresent(String.self, forKey: .runID),
                stage: try container.decodeIfPresent(String.self, forKey: .stage))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .assigned(let version, let runID, let stage):
            try container.encode(version, forKey: .version)
            // The original emits nulls rather than leaving keys out.
            try container.encode(runID, forKey: .runID)
            try container.encode(stage, forKey: .stage)
        case .failed(let message):
            try container.encode(message, forKey: .error)
        }
    }
}
