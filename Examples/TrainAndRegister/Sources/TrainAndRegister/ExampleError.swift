/// The example's own failures. Failures of the server or the network arrive as MLOpsKit's typed errors
/// (`MLflowError`, `HTTPTransportError`, `ArtifactError`, `ConfigurationError`), whose descriptions name
/// the endpoint and never a credential.
enum ExampleError: Error, CustomStringConvertible {
    /// `--help`: print the usage and stop.
    case help
    /// A bad command line.
    case usage(String)
    /// The server created a run without an artifact location.
    case noArtifactURI(runID: String)
    /// The alias read back does not name the version just registered.
    case aliasMismatch(alias: String, expected: String, found: String)

    var description: String {
        switch self {
        case .help: Options.usage
        case .usage(let message): "\(message)\n\n\(Options.usage)"
        case .noArtifactURI(let runID): "the server gave run \(runID) no artifact URI"
        case .aliasMismatch(let alias, let expected, let found):
            "alias '\(alias)' points at version \(found), expected version \(expected)"
        }
    }
}
