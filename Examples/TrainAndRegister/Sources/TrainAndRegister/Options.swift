/// What the example works on. Every value has a default, so `swift run` alone does something useful.
struct Options: Sendable {
    /// The experiment to log the run in; created when it does not exist.
    var experiment = "mlopskit-examples"
    /// The registered model to add a version to; created when it does not exist.
    var model = "mlopskit_example"
    /// The alias to point at the new version.
    var alias = "Staging"
    /// How many training steps to log.
    var steps = 50

    static let usage = """
        usage: train-and-register [--experiment NAME] [--model NAME] [--alias NAME] [--steps N]

        Logs a simulated training run to the MLflow server at MLFLOW_TRACKING_URI, uploads an artifact,
        registers a model version from the run, points an alias at it and reads the alias back.

          --experiment NAME  experiment to log the run in (default: mlopskit-examples)
          --model NAME       registered model to add a version to (default: mlopskit_example)
          --alias NAME       alias to point at the new version (default: Staging)
          --steps N          training steps to log, 1 to 100000 (default: 50)
        """

    /// Reads `--name value` pairs; anything else is a usage error.
    init(arguments: [String]) throws(ExampleError) {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            if flag == "-h" || flag == "--help" { throw .help }
            guard let value = rest.popFirst() else { throw .usage("\(flag) needs a value") }
            switch flag {
            case "--experiment": experiment = try Self.nonEmpty(value, flag)
            case "--model": model = try Self.nonEmpty(value, flag)
            case "--alias": alias = try Self.nonEmpty(value, flag)
            case "--steps":
                guard let count = Int(value), (1...100_000).contains(count) else {
                    throw .usage("--steps needs a whole number from 1 to 100000, not '\(value)'")
                }
                steps = count
            default: throw .usage("unknown option '\(flag)'")
            }
        }
    }

    private static func nonEmpty(_ value: String, _ flag: String) throws(ExampleError) -> String {
        guard !value.isEmpty else { throw .usage("\(flag) needs a non-empty value") }
        return value
    }
}
