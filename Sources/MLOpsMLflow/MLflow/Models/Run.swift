import MLOpsCore

/// A run: one execution of training or evaluation code, with its metadata and logged data.
public struct Run: Sendable, Codable, Equatable {
    /// Identity, status, timing and artifact location.
    public var info: RunInfo
    /// Metrics (latest values), params and tags. Empty when the server sent none.
    public var data: RunData

    /// Creates a run value.
    public init(info: RunInfo, data: RunData = RunData()) {
        self.info = info
        self.data = data
    }

    enum CodingKeys: String, CodingKey {
        case info
        case data
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        info = try container.decode(RunInfo.self, forKey: .info)
        data = try container.decode(forKey: .data, default: RunData())
    }
}
