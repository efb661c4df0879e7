#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Describes one environment variable MLOpsKit reads: its name, built-in default, sensitivity and a
/// one-line help text.
///
/// The names are those of the original Docker Compose stack, so its `.env` files and container
/// environments work unchanged. ``all`` lists every key ``ConfigurationLoader`` resolves.
public struct ConfigurationKey: Sendable, Hashable, CustomStringConvertible {
    /// How much of a value may be shown to people.
    public struct Sensitivity: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Base: String, Hashable, Sendable {
            case plain
            case secret
            case partiallyMasked = "partially masked"
            case url
        }

        fileprivate let base: Base

        /// Shown as is.
        public static let plain = Sensitivity(base: .plain)
        /// Never shown: displayed as ``Redaction/mask``, whatever its length.
        public static let secret = Sensitivity(base: .secret)
        /// An identifier that is not a secret but is not shown whole either (an access key id): only its
        /// last four characters are shown, and only if it has at least twelve, in the style of
        /// `aws configure list`.
        public static let partiallyMasked = Sensitivity(base: .partiallyMasked)
        /// A URL: shown with any password and secret query parameters masked (see ``Redaction``).
        public static let url = Sensitivity(base: .url)

        public var description: String { base.rawValue }
    }

    /// The environment variable name, such as `MLFLOW_TRACKING_URI`.
    public let name: String
    /// The value used when no layer sets the key, or `nil` if it then stays unset.
    public let defaultValue: String?
    /// How much of the value may be shown.
    public let sensitivity: Sensitivity
    /// What the key does, in one line.
    public let help: String

    /// Creates a key descriptor.
    ///
    /// - Precondition: `name` matches `[A-Za-z_][A-Za-z0-9_]*`.
    public init(_ name: String, default defaultValue: String? = nil, sensitivity: Sensitivity = .plain, help: String) {
        precondition(DotEnvFile.isValidKey(name), "invalid configuration key name")
        self.name = name
        self.defaultValue = defaultValue
        self.sensitivity = sensitivity
        self.help = help
    }

    /// Whether the value is a secret that must never be shown.
    public var isSecret: Bool { sensitivity == .secret }

    /// `value` as it may be shown to people, masked according to ``sensitivity``.
    public func displayValue(for value: String) -> String {
        switch sensitivity.base {
        case .plain:
            return value
        case .secret:
            return Redaction.mask
        case .partiallyMasked:
            return value.count >= 12 ? Redaction.mask + String(value.suffix(4)) : Redaction.mask
        case .url:
            return Redaction.redact(value)
        }
    }

    public var description: String { name }
}
