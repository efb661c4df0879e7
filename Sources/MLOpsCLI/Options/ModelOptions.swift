import ArgumentParser
import MLOpsKit

/// `--model-name`, as the original toolkit spells it; defaults to `MLFLOW_MODEL_NAME`.
struct ModelNameOption: ParsableArguments {
    @Option(
        name: .customLong("model-name"),
        help: ArgumentHelp("Registered model name (default: MLFLOW_MODEL_NAME).", valueName: "name"))
    var modelName: String?

    /// The flag's value, or the configured model name.
    func resolve(_ configuration: MLOpsConfiguration) -> String {
        modelName ?? configuration.modelName
    }
}

/// Whether a listing is of active, deleted or all experiments or runs.
enum LifecycleView: String, ExpressibleByArgument, CaseIterable {
    case active, deleted, all

    var viewType: ViewType {
        switch self {
        case .active: .activeOnly
        case .deleted: .deletedOnly
        case .all: .all
        }
    }
}

extension MetricGoal: ExpressibleByArgument {}
