import MLOpsCore

/// A key–value tag on a registered model.
public struct RegisteredModelTag: Sendable, Codable, Hashable {
    /// The tag's name.
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
