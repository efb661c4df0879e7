import MLOpsCore

/// A parameter of a run, such as a hyperparameter. A param is logged once per run and cannot change.
///
/// Keys are at most 250 characters of letters, digits and `_ - . space : /`; values at most
/// 6000 characters (``MLflowClient`` checks both before sending).
public struct Param: Sendable, Codable, Hashable {
    /// The parameter's name.
    public var key: String
    /// The parameter's value, as a string.
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
