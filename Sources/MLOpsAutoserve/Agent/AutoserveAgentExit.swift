import MLOpsCore

/// The exit statuses of `autoserve-agent`, shared with the `mlops` CLI where they overlap.
public enum AutoserveAgentExit {
    /// Success; with `--once`, every key is Ready.
    public static let success: Int32 = 0
    /// With `--once`, some key is not Ready; otherwise a failure without a more specific status.
    public static let notReady: Int32 = 1
    /// A usage error (ArgumentParser's own).
    public static let usage: Int32 = 2
    /// The MLflow server could not be reached (or its registry could not be read).
    public static let unreachable: Int32 = 4
    /// The configuration is unusable.
    public static let configuration: Int32 = 7

    /// The `--once` status: 4 when the registry was never read, 0 when every key is Ready, else 1.
    public static func once(statuses: [ServingStatus], registryWasRead: Bool) -> Int32 {
        guard registryWasRead else { return unreachable }
        return statuses.allSatisfy { $0.state == .ready } ? success : notReady
    }

    /// The status for an error that stopped the agent (or `--dry-run`).
    public static func status(for error: any Error) -> Int32 {
        switch error {
        case let transport as HTTPTransportError:
            switch transport.code {
            // Failures of the request itself; anything the server sent back, however malformed or large,
            // means its registry could not be read, as `--once` reports it.
            case .invalidRequest, .localFile: return notReady
            default: return unreachable
            }
        case is ConfigurationError, is DotEnvError, AutoserveAgentError.webhookSecretFileUnreadable: return configuration
        default: return notReady
        }
    }
}
