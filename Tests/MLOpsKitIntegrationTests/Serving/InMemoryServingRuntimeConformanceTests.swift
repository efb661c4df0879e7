import Foundation
import MLOpsKit
import MLOpsKitTestSupport
import Testing

/// The in-memory runtime of the deterministic reconciler tests, held to the shared conformance suite
/// in the scenarios that need no model server answering over real HTTP (the others probe the endpoint
/// with a real transport, which an in-memory instance does not listen on). Its state lives in the
/// runtime object, so "reopening" it hands back the same object, as an agent restarting would find
/// the same state.
struct InMemoryRuntimeHarness: ServingRuntimeHarness {
    static let scenarios: [ServingRuntimeConformance.Scenario] = [
        .createDoesNotStart, .listByLabels, .nameConflict, .rename, .unknownID, .labelsRoundTrip,
    ]

    func makeRuntime() async throws -> InMemoryServingRuntime { InMemoryServingRuntime() }

    func reopen(_ runtime: InMemoryServingRuntime) async throws -> InMemoryServingRuntime { runtime }

    func makeSpec(
        key: ServingKey, version: String, name: String?, extraLabels: [String: String], configHash: String
    ) -> ServingSpec {
        ServingSpec(key: key, version: version, name: name, extraLabels: extraLabels, configHash: configHash)
    }

    func logMarker(for spec: ServingSpec) -> String { "serving \(spec.key.model) v\(spec.version)" }

    func killFromOutside(_ instance: ServingInstance, runtime: InMemoryServingRuntime) async throws {
        try await runtime.crash(instance.id)
    }

    func cleanUp(_ runtime: InMemoryServingRuntime) async {
        for instance in (try? await runtime.instances(matching: [:])) ?? [] {
            try? await runtime.remove(instance.id)
        }
    }

    var readyDeadline: Duration { .seconds(1) }
}

@Suite struct InMemoryServingRuntimeConformanceTests {
    @Test(arguments: InMemoryRuntimeHarness.scenarios)
    func conformance(_ scenario: ServingRuntimeConformance.Scenario) async throws {
        try await ServingRuntimeConformance.run(scenario, with: InMemoryRuntimeHarness())
    }
}
