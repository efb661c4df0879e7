import Foundation

@testable import MLOpsKit
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// Registry snapshots, statuses and a state source for the agent's metrics and HTTP tests.
enum AutoserveFixtures {
    static let since = Date(timeIntervalSince1970: 1_780_000_000)

    /// Two models: `iris` with versions 1–3, Production → 3 and Staging → 2; `wine` with version 1 and
    /// Production → 1.
    static var snapshot: RegistrySnapshot {
        RegistrySnapshot(
            models: [
                RegisteredModel(
                    name: "iris",
                    aliases: [
                        RegisteredModelAlias(alias: "Production", version: "3"),
                        RegisteredModelAlias(alias: "Staging", version: "2"),
                    ]),
                RegisteredModel(name: "wine", aliases: [RegisteredModelAlias(alias: "Production", version: "1")]),
            ],
            versions: [
                ModelVersion(name: "iris", version: "1", creationTimestamp: 1_700_000_000_000, runID: "r1"),
                ModelVersion(name: "iris", version: "2", creationTimestamp: 1_700_000_100_000, runID: "r2"),
                ModelVersion(
                    name: "iris", version: "3", creationTimestamp: 1_700_000_200_000, currentStage: "None", runID: "r3"),
                ModelVersion(name: "wine", version: "1", creationTimestamp: 1_700_000_300_000, runID: "w1"),
            ],
            requestCount: 2)
    }

    static func status(
        _ model: String, _ alias: String = "Production", state: ServingState = .ready, desired: String? = "1",
        serving: String? = "1", endpoint: String? = "http://127.0.0.1:5001"
    ) -> ServingStatus {
        ServingStatus(
            model: model, alias: alias, desiredVersion: desired, servingVersion: serving, endpoint: endpoint,
            state: state, reason: state == .ready ? nil : "Testing", message: state == .ready ? nil : "a test",
            since: since,
            conditions: [ServingCondition(type: .ready, status: state == .ready, lastTransitionTime: since)])
    }
}

/// Series lines of an exposition (no comments), for assertions.
func seriesLines(_ exposition: String) -> Set<String> {
    Set(exposition.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init))
}
