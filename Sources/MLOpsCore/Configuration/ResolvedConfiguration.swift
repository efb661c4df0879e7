/// The raw value of every configuration key after layering, with where each came from.
///
/// ``ConfigurationLoader/resolve(keys:environment:dotEnv:flags:flagNames:)`` builds it;
/// ``MLOpsConfiguration/init(resolved:)`` converts it to typed values. Keeping the two steps apart lets a
/// tool show the configuration (``report()``) even when a value does not convert.
public struct ResolvedConfiguration: Sendable, Hashable {
    /// The keys that were resolved, in report order.
    public var keys: [ConfigurationKey]
    /// The value of each key that is set, by name. Keys with a default are always set.
    public var values: [String: ConfigurationValue]

    /// Creates a resolved configuration.
    public init(keys: [ConfigurationKey] = ConfigurationKey.all, values: [String: ConfigurationValue] = [:]) {
        self.keys = keys
        self.values = values
    }

    /// The value of `key`, or `nil` if it is unset.
    public subscript(key: ConfigurationKey) -> ConfigurationValue? {
        values[key.name]
    }

    /// The value of the key called `name`, or `nil` if it is unset.
    public subscript(name: String) -> ConfigurationValue? {
        values[name]
    }

    /// Of two keys that mean the same thing (`MLFLOW_MODEL_ALIAS` and `MODEL_ALIAS`), the value from the
    /// higher layer; on a tie, `primary`'s.
    func preferred(_ primary: ConfigurationKey, over secondary: ConfigurationKey) -> ConfigurationValue? {
        preferred([primary, secondary])
    }

    /// Of keys that mean the same thing, most specific first, the value from the highest layer; on a tie,
    /// the one listed first. A built-in default is the lowest layer, so it counts only when no other key
    /// is set.
    func preferred(_ keys: [ConfigurationKey]) -> ConfigurationValue? {
        var best: ConfigurationValue?
        for key in keys {
            guard let value = self[key] else { continue }
            if let current = best, current.source.precedence >= value.source.precedence { continue }
            best = value
        }
        return best
    }

    /// One line per key in ``keys`` order, with secrets masked.
    public func report() -> [ConfigurationReportEntry] {
        keys.map { key in
            let value = self[key]
            return ConfigurationReportEntry(
                key: key.name,
                displayValue: value?.displayValue,
                source: value?.source ?? .default,
                isSecret: key.isSecret,
                help: key.help
            )
        }
    }
}

/// One key's line in a configuration report: what may be shown of its value, and where it came from.
public struct ConfigurationReportEntry: Sendable, Hashable {
    /// The variable name.
    public var key: String
    /// The value, masked if the key is sensitive, or `nil` if the key is unset.
    public var displayValue: String?
    /// Where the value came from (``ConfigurationSource/default`` for an unset key).
    public var source: ConfigurationSource
    /// Whether the value is a secret (and so shown as ``Redaction/mask``).
    public var isSecret: Bool
    /// The key's one-line help.
    public var help: String

    /// Creates an entry.
    public init(key: String, displayValue: String?, source: ConfigurationSource, isSecret: Bool, help: String) {
        self.key = key
        self.displayValue = displayValue
        self.source = source
        self.isSecret = isSecret
        self.help = help
    }
}
