import Foundation
import MLOpsKit

/// Removes every process-runtime instance of `model` recorded in `stateDirectory` (agents leave their
/// model servers running on purpose), opening the directory without its lock so a running agent keeps it.
public func removeServingInstances(of model: String, stateDirectory: URL) async {
    guard let runtime = try? ProcessServingRuntime(
        configuration: ProcessServingConfiguration(stateDirectory: stateDirectory.path, lockStateDirectory: false))
    else { return }
    for instance in (try? await runtime.instances(matching: [ServingLabels.model: model])) ?? [] {
        try? await runtime.remove(instance.id)
    }
    await runtime.close()
}
