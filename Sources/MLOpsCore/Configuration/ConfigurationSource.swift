/// Where a configuration value came from.
///
/// Layers rise in priority in the order the cases are listed: a value from a flag beats one from the
/// environment, which beats one from a `.env` file, which beats the built-in default.
public enum ConfigurationSource: Sendable, Hashable, CustomStringConvertible {
    /// The built-in default of the ``ConfigurationKey``.
    case `default`
    /// A `.env` file, by the path it was read from.
    case dotEnv(path: String)
    /// The process environment.
    case environment
    /// A command-line flag, by its spelling (`--tracking-uri`).
    case flag(name: String)

    /// `default`, the `.env` file's path, `environment`, or the flag's spelling.
    public var description: String {
        switch self {
        case .default: "default"
        case .dotEnv(let path): path
        case .environment: "environment"
        case .flag(let name): name
        }
    }

    /// The layer's rank: higher wins.
    var precedence: Int {
        switch self {
        case .default: 0
        case .dotEnv: 1
        case .environment: 2
        case .flag: 3
        }
    }
}
