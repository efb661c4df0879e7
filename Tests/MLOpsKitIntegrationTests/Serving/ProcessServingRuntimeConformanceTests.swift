import Foundation
import MLOpsKit
import Testing

/// The process runtime's harness for the conformance suite: each runtime gets a state directory of
/// its own and serves with `Tests/Fixtures/serving_stub.py` (`GET /ping`), which starts in well under
/// a second, in place of `mlflow models serve`.
struct ProcessRuntimeHarness: ServingRuntimeHarness {
    /// Extra environment for every stub (switches of `serving_stub.py`).
    var environment: [String: String] = [:]

    static var stubPath: String {
        IntegrationEnvironment.repositoryRoot.appendingPathComponent("Tests/Fixtures/serving_stub.py").path
    }

    static func configuration(stateDirectory: String, environment: [String: String] = [:]) -> ProcessServingConfiguration {
        ProcessServingConfiguration(
            stateDirectory: stateDirectory,
            command: ["python3", stubPath, "{port}", "{model}", "{version}"],
            environment: environment,
            watchInterval: .milliseconds(100))
    }

    func makeRuntime() async throws -> ProcessServingRuntime {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mlopskit-serving-\(UUID().uuidString.prefix(8).lowercased())").path
        return try ProcessServingRuntime(configuration: Self.configuration(stateDirectory: directory, environment: environment))
    }

    func reopen(_ runtime: ProcessServingRuntime) async throws -> ProcessServingRuntime {
        await runtime.close()
        return try ProcessServingRuntime(configuration: runtime.configuration)
    }

    func makeSpec(
        key: ServingKey, version: String, name: String?, extraLabels: [String: String], configHash: String
    ) -> ServingSpec {
        ServingSpec(key: key, version: version, name: name, extraLabels: extraLabels, configHash: configHash)
    }

    func logMarker(for spec: ServingSpec) -> String {
        "serving-stub ready port="
    }

    func killFromOutside(_ instance: ServingInstance, runtime: ProcessServingRuntime) async throws {
        let pid = try #require(instance.processID)
        #expect(kill(pid, SIGKILL) == 0)
    }

    func cleanUp(_ runtime: ProcessServingRuntime) async {
        // A closed runtime (a failed reopen) is opened again to find what it left running.
        var current = runtime
        if (try? await runtime.instances(matching: [:])) == nil {
            await runtime.close()
            if let reopened = try? ProcessServingRuntime(configuration: runtime.configuration) { current = reopened }
        }
        for instance in (try? await current.instances(matching: [:])) ?? [] {
            try? await current.remove(instance.id)
        }
        await current.close()
        Self.killRecordedProcesses(in: runtime.stateDirectory)
        try? FileManager.default.removeItem(atPath: runtime.stateDirectory)
    }

    /// The last resort when the runtime could not remove its instances: SIGKILL to the process group of
    /// every process a state file records, when its start time still matches.
    static func killRecordedProcesses(in directory: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasSuffix(".json") {
            guard let data = FileManager.default.contents(atPath: "\(directory)/\(name)"),
                let record = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let pid = (record["processID"] as? NSNumber)?.int32Value,
                let ticks = (record["processStartTicks"] as? NSNumber)?.uint64Value,
                let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 19, UInt64(fields[19]) == ticks {
                kill(-pid, SIGKILL)
            }
        }
    }

    var readyDeadline: Duration { .seconds(30) }
}

@Suite("ProcessServingRuntime conformance")
struct ProcessServingRuntimeConformanceTests {
    @Test(arguments: ServingRuntimeConformance.Scenario.allCases)
    func conformance(_ scenario: ServingRuntimeConformance.Scenario) async throws {
        try await ServingRuntimeConformance.run(scenario, with: ProcessRuntimeHarness())
    }
}
