/// A configuration key's raw value after layering, and the layer it came from.
///
/// Its `description`, `debugDescription` and mirror mask the value the way its key asks
/// (``ConfigurationKey/displayValue(for:)``), so printing or dumping it never shows a secret.
public struct ConfigurationValue: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The key this is a value of.
    public var key: ConfigurationKey
    /// The value as written in its source, before any conversion.
    public var value: String
    /// Where the value came from.
    public var source: ConfigurationSource

    /// Creates a value.
    public init(key: ConfigurationKey, value: String, source: ConfigurationSource) {
        self.key = key
        self.value = value
        self.source = source
    }

    /// The value as it may be shown to people: masked if the key is sensitive.
    public var displayValue: String { key.displayValue(for: value) }

    public var description: String { "\(key.name)=\(displayValue) (\(source))" }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["key": key.name, "value": displayValue, "source": source])
    }
}
