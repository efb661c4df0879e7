import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

@Suite struct ComputedServingStatusTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    func instance(_ model: String, _ alias: String, version: String, state: ServingInstanceState = .running) -> ServingInstance {
        let key = ServingKey(model: model, alias: alias)
        return ServingInstance(
            id: "\(model)-\(version)", name: ServingNames.stable(for: key),
            labels: [ServingLabels.serve: "true", ServingLabels.model: model, ServingLabels.alias: alias, ServingLabels.version: version],
            state: state, endpoint: URL(string: "http://127.0.0.1:5\(version)"), startedAt: Self.now.addingTimeInterval(-60))
    }

    @Test func everyKeyGetsTheStateAnAgentWouldReport() throws {
        let snapshot = RegistrySnapshot(
            models: [
                RegistrySnapshotTests.model("ready", ["Production": "2"]),
                RegistrySnapshotTests.model("outdated", ["Production": "3"]),
                RegistrySnapshotTests.model("down", ["Production": "1"]),
                RegistrySnapshotTests.model("pending", ["Production": "4"]),
                RegistrySnapshotTests.model("gone", [:]),
            ],
            versions: [
                RegistrySnapshotTests.version("ready", "2"), RegistrySnapshotTests.version("outdated", "3"),
                RegistrySnapshotTests.version("down", "1"), RegistrySnapshotTests.version("pending", "4", .pendingRegistration),
            ])
        let instances = [
            instance("ready", "Production", version: "2"),
            instance("outdated", "Production", version: "2"),
            instance("down", "Production", version: "1", state: .exited(exitCode: 1)),
            instance("gone", "Production", version: "1"),
        ]
        let document = AutoserveStatusDocument.computed(
            snapshot: snapshot, aliases: ["Production"], instances: instances, runtime: "process", now: Self.now)
        let byModel = Dictionary(uniqueKeysWithValues: document.keys.map { ($0.model, $0) })
        #expect(document.keys.map(\.model) == ["down", "gone", "outdated", "pending", "ready"])
        #expect(document.runtime == "process")

        let ready = try #require(byModel["ready"])
        #expect(ready.state == .ready)
        #expect(ready.servingVersion == "2")
        #expect(ready.endpoint == "http://127.0.0.1:52")
        #expect(ready.conditions.first { $0.type == .ready }?.status == true)

        #expect(byModel["outdated"]?.state == .degraded)
        #expect(byModel["outdated"]?.reason == "OutdatedVersion")
        #expect(byModel["outdated"]?.desiredVersion == "3")
        #expect(byModel["outdated"]?.servingVersion == "2")
        #expect(byModel["down"]?.reason == "NotServed")
        #expect(byModel["down"]?.endpoint == nil)
        #expect(byModel["pending"]?.state == .progressing)
        #expect(byModel["pending"]?.reason == "VersionNotReady")
        #expect(byModel["gone"]?.reason == "AliasRemoved")
    }
}
