import MLOpsKit
import Testing

@Suite struct RegistrySnapshotTests {
    static func model(_ name: String, _ aliases: [String: String]) -> RegisteredModel {
        RegisteredModel(name: name, aliases: aliases.map { RegisteredModelAlias(alias: $0.key, version: $0.value) })
    }

    static func version(_ model: String, _ version: String, _ status: ModelVersionStatus = .ready) -> ModelVersion {
        var value = ModelVersion(name: model, version: version)
        value.status = status
        return value
    }

    @Test func desiredStateServesOnlyConfiguredAliasesOfReadyVersions() {
        let snapshot = RegistrySnapshot(
            models: [
                Self.model("iris", ["Production": "2", "Test": "3", "dev": "1"]),
                Self.model("wine", ["Production": "5"]),
                Self.model("plain", [:]),
            ],
            versions: [
                Self.version("iris", "1"), Self.version("iris", "2"), Self.version("iris", "3"),
                Self.version("wine", "5", .pendingRegistration),
            ])
        let desired = snapshot.desiredServing(aliases: ["Production", "Test"])
        #expect(desired.versions == [
            ServingKey(model: "iris", alias: "Production"): "2",
            ServingKey(model: "iris", alias: "Test"): "3",
        ])
        let waiting = desired.waiting[ServingKey(model: "wine", alias: "Production")]
        #expect(waiting?.version == "5")
        #expect(waiting?.status == .pendingRegistration)
    }

    @Test func aliasesAreCaseSensitive() {
        let snapshot = RegistrySnapshot(models: [Self.model("iris", ["production": "1"])], versions: [Self.version("iris", "1")])
        #expect(snapshot.desiredServing(aliases: ["Production"]).versions.isEmpty)
    }
}
