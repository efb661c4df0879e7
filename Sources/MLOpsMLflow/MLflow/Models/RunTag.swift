import MLOpsCore

/// A key–value tag on a run. Tags can be changed and deleted during and after the run.
///
/// Keys are at most 250 characters of letters, digits and `_ - . space : /`; values at most
/// 8000 characters (``MLflowClient`` checks both before sending).
public struct RunTag: Sendable, Codable, Hashable {
    /// The tag's name, such as `mlflow.runName`.
    public var key: String
    /// The tag's value; empty when the server omitted it.
    public var value: String

    /// Creates a value from its key and value.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    enum CodingKeys: String, CodingKey {
        case key
        case value
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = try container.decode(forKey: .key, default: "")
        value = try container.decode(forKey: .value, default: "")
    }
}
