import MLOpsCore

/// One value of a metric at a point in time.
///
/// Non-finite values survive the round trip: they are sent as the strings `"NaN"`, `"Infinity"` and
/// `"-Infinity"` (MLflow stores a bare JSON `NaN` token as `0`), and decoded from those strings or from
/// plain numbers. A server with a SQL store returns infinities as `±1.7976931348623157e308`
/// (`Double.greatestFiniteMagnitude`); those decode as they come.
///
/// Two metrics are equal when all fields are equal, where `NaN` equals `NaN`.
public struct Metric: Sendable, Codable, Equatable {
    /// The metric's name. At most 250 characters of letters, digits and `_ - . space : /`.
    public var key: String
    /// The value, which may be `NaN` or infinite.
    public var value: Double
    /// When the value was recorded, in milliseconds since 1970.
    public var timestamp: Int64
    /// The training step the value belongs to; `0` when not given.
    public var step: Int64

    /// Creates a metric value.
    public init(key: String, value: Double, timestamp: Int64, step: Int64 = 0) {
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.step = step
    }

    enum CodingKeys: String, CodingKey {
        case key
        case value
        case timestamp
        case step
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = try container.decode(forKey: .key, default: "")
        timestamp = try container.decode(forKey: .timestamp, default: 0)
        step = try container.decode(forKey: .step, default: 0)
        value = try Self.decodeValue(from: container)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(key, forKey: .key)
        try container.encodeMetricValue(value, forKey: .value)
        try container.encode(timestamp, forKey: .timestamp)
        try container.encode(step, forKey: .step)
    }

    private static func decodeValue(from container: KeyedDecodingContainer<CodingKeys>) throws -> Double {
        guard container.contains(.value), try !container.decodeNil(forKey: .value) else { return 0 }
        if let number = try? container.decode(Double.self, forKey: .value) {
            return number
        }
        let text = try container.decode(String.self, forKey: .value)
        switch text.lowercased() {
        case "nan": return .nan
        case "infinity", "inf", "+infinity", "+inf": return .infinity
        case "-infinity", "-inf": return -.infinity
        default:
            guard let number = Double(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .value,
                    in: container,
                    debugDescription: "metric value \"\(text)\" is neither a number nor NaN/Infinity/-Infinity"
                )
            }
            return number
        }
    }

    public static func == (lhs: Metric, rhs: Metric) -> Bool {
        lhs.key == rhs.key && lhs.timestamp == rhs.timestamp && lhs.step == rhs.step
            && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN))
    }
}

extension KeyedEncodingContainer {
    /// Encodes a metric value as a JSON number, or as `"NaN"`, `"Infinity"` or `"-Infinity"` when it is
    /// not finite (the spellings protobuf's JSON parser accepts).
    mutating func encodeMetricValue(_ value: Double, forKey key: Key) throws {
        if value.isNaN {
            try encode("NaN", forKey: key)
        } else if value.isInfinite {
            try encode(value < 0 ? "-Infinity" : "Infinity", forKey: key)
        } else {
            try encode(value, forKey: key)
        }
    }
}
