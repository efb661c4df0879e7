/// The command line was not understood, or help was asked for.
enum LogRunError: Error, CustomStringConvertible {
    /// `--help`: print the usage and stop.
    case help
    /// A bad command line.
    case usage(String)

    var description: String {
        switch self {
        case .help: LogRunOptions.usage
        case .usage(let message): "\(message)\n\n\(LogRunOptions.usage)"
        }
    }
}

/// What `log-run` logs. Every value has a default.
struct LogRunOptions: Sendable {
    /// The experiment to log the run in; created when it does not exist.
    var experiment = "mlopskit-examples"
    /// The run's name.
    var runName = "log-run"
    /// How many values of the `loss` metric to log.
    var steps = 20

    static let usage = """
        usage: log-run [--experiment NAME] [--run-name NAME] [--steps N]

        Logs a run to the MLflow server at MLFLOW_TRACKING_URI: two params and a loss curve, then ends
        the run as FINISHED.

          --experiment NAME  experiment to log the run in (default: mlopskit-examples)
          --run-name NAME    name of the run (default: log-run)
          --steps N          values of the loss metric to log, 1 to 100000 (default: 20)
        """

    /// Reads `--name value` pairs; anything else is a usage error.
    init(arguments: [String]) throws(LogRunError) {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            if flag == "-h" || flag == "--help" { throw .help }
            guard let value = rest.popFirst() else { throw .usage("\(flag) needs a value") }
            switch flag {
            case "--experiment": experiment = try Self.nonEmpty(value, flag)
            case "--run-name": runName = try Self.nonEmpty(value, flag)
            case "--steps":
                guard let count = Int(value), (1...100_000).contains(count) else {
                    throw .usage("--steps needs a whole number from 1 to 100000, not '\(value)'")
                }
                steps = count
            default: throw .usage("unknown option '\(flag)'")
            }
        }
    }

    private static func nonEmpty(_ value: String, _ flag: String) throws(LogRunError) -> String {
        guard !value.isEmpty else { throw .usage("\(flag) needs a non-empty value") }
        return value
    }
}
