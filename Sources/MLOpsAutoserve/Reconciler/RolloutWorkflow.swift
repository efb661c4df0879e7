import MLOpsCore
import MLOpsServing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// Brings up a new version of a key beside the one serving it: creates (or starts) the instance, waits
/// until it answers its readiness checks and the smoke invocation, and says whether it may take the
/// traffic. It switches nothing and retires nothing: the reconciler does that with the answer.
struct RolloutWorkflow: Sendable {
    /// How a bring-up ended.
    enum Outcome: Sendable {
        /// `instance` is ready to serve.
        case ready(ServingInstance)
        /// It is not: the status reason, and a message that names the version, what went wrong, the
        /// model server's last output and (when one serves) the version that keeps serving. The new
        /// instance has been removed.
        case failed(reason: String, message: String)
    }

    let dependencies: ReconcilerDependencies
    let inputExamples: (any InputExampleSource)?

    /// - Parameters:
    ///   - existing: a matching instance that is not running, started instead of a new one.
    ///   - retiring: the instances the new one replaces (their names are not reused).
    ///   - serving: the one serving now, named in a failure message.
    func bringUp(
        _ key: ServingKey, version: String, existing: ServingInstance?, retiring: [ServingInstance], serving: ServingInstance?
    ) async -> Outcome {
        let runtime = dependencies.runtime
        let configuration = dependencies.configuration
        var created: ServingInstance?
        do {
            var instance: ServingInstance
            if let existing {
                instance = existing
            } else {
                let stable = ServingNames.stable(for: key)
                let nameTaken = retiring.contains { $0.name == stable }
                let spec = ServingSpec(
                    key: key, version: version,
                    name: nameTaken ? ServingNames.candidate(for: key, version: version) : stable,
                    environment: configuration.environment, configHash: configuration.configHash)
                instance = try await runtime.create(spec)
                created = instance
            }
            try await runtime.start(instance.id)
            instance = try await runtime.inspect(instance.id)
            try await dependencies.waitUntilReady(instance, inputExample: await inputExample(key: key, version: version))
            return .ready(instance)
        } catch {
            let (reason, message) = ReconcilerDependencies.describe(error)
            var text = "version \(version) was not switched to: \(message)"
            if let id = created?.id ?? existing?.id {
                if let lines = try? await runtime.logs(id, tail: 5) {
                    let tail = lines.split(separator: "\n").suffix(3).joined(separator: " | ")
                    if !tail.isEmpty { text += " (last output: \(tail.prefix(400)))" }
                }
                try? await runtime.remove(id)
            }
            if let version = serving?.version { text += "; version \(version) keeps serving" }
            return .failed(reason: reason, message: text)
        }
    }

    private func inputExample(key: ServingKey, version: String) async -> Data? {
        guard dependencies.configuration.readiness.sendsInputExample, let inputExamples else { return nil }
        do {
            return try await inputExamples.inputExample(model: key.model, version: version)
        } catch {
            dependencies.logger.debug(
                "no input example", metadata: ["key": "\(key)", "version": "\(version)", "error": "\(error)"])
            return nil
        }
    }
}
