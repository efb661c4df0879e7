import Foundation
import MLOpsKitTestSupport
import Synchronization
import Testing

@testable import MLOpsAutoserve
@testable import MLOpsCore
@testable import MLOpsServing

/// A switch checked on live traffic, through a ``GatewayRouteTable`` and a manual clock: the previous
/// instance stays warm until the new one's first answers decide; too many 5xx send traffic back at
/// once, leave the alias alone and block the version until the alias moves.
@Suite struct TrafficVerificationTests {
    typealias Harness = DeterministicReconcilerTests.Harness

    /// Version 1 serving through `table`; the alias then moved to 2 and the switch is under way. Returns
    /// the reconcile pass doing it, once version 2 took the key over, and the old instance's ID.
    static func switchToVersion2(_ harness: Harness, _ table: GatewayRouteTable) async throws -> (Task<[ServingStatus], Never>, String) {
        await harness.registry.addModel("iris", versionCount: 3, aliases: ["Production": "1"])
        let first = await harness.reconciler.reconcileOnce()
        let old = try #require(first.first?.instanceID)
        harness.manual.advance(by: .seconds(100))
        await harness.registry.moveAlias("Production", of: "iris", to: "2")
        let reconciler = harness.reconciler
        let pass = Task { await reconciler.reconcileOnce() }
        // The readiness checks of version 2 pass; then the verification waits on its time bound.
        await harness.manual.waitForSleeper(until: harness.manual.now.advanced(by: .seconds(60)))
        #expect(table.routedKeys() == [harness.key: "2"])
        return (pass, old)
    }

    static func answer(_ table: GatewayRouteTable, _ key: ServingKey, status: Int) -> String? {
        guard case .target(let target) = table.lease(for: key) else { return nil }
        target.recordAnswer(status: status)
        target.release()
        return target.version
    }

    @Test func tooManyErrorsSendTrafficBackAtOnceAndTheVersionWaitsForTheAliasToMove() async throws {
        let table = GatewayRouteTable()
        let harness = Harness(traffic: table)
        let key = harness.key
        let (pass, old) = try await Self.switchToVersion2(harness, table)

        // 20 answers decide; 10 % of them (2) may be 5xx. The third 5xx decides, and the very next
        // request already goes to version 1, with no time passing.
        #expect(Self.answer(table, key, status: 200) == "2")
        #expect(Self.answer(table, key, status: 500) == "2")
        #expect(Self.answer(table, key, status: 503) == "2")
        #expect(Self.answer(table, key, status: 502) == "2")
        #expect(Self.answer(table, key, status: 200) == "1")
        _ = await pass.value

        // The new instance is removed, the old one keeps serving, the alias is untouched.
        let removed = await harness.runtime.calls(.remove).map(\.instanceID)
        #expect(!removed.contains(old))
        #expect(removed.count == 1)
        let status = try #require(await harness.status())
        #expect(status.state == .degraded)
        #expect(status.reason == "TrafficRolledBack")
        #expect(status.servingVersion == "1")
        #expect(status.instanceID == old)
        #expect((status.message ?? "").contains("answered 3 of 4 requests with 5xx"))
        #expect((status.message ?? "").contains("mlops alias rollback --model-name iris --alias Production"))
        #expect(try await harness.registry.getModelVersion(name: "iris", alias: "Production").version == "2")
        #expect(table.routedKeys() == [key: "1"])

        // Later passes do not try version 2 again, however long it waits.
        harness.manual.advance(by: .seconds(3_600))
        _ = await harness.reconciler.reconcileOnce()
        #expect(await harness.runtime.calls(.start).count == 2)
        #expect(try #require(await harness.status()).reason == "TrafficRolledBack")

        // The alias moves on: version 3 is rolled out.
        await harness.registry.moveAlias("Production", of: "iris", to: "3")
        let reconciler = harness.reconciler
        let next = Task { await reconciler.reconcileOnce() }
        await harness.manual.waitForSleeper(until: harness.manual.now.advanced(by: .seconds(60)))
        #expect(table.routedKeys() == [key: "3"])
        for _ in 0..<20 { _ = Self.answer(table, key, status: 200) }
        _ = await next.value
        #expect(try #require(await harness.status()).state == .ready)
    }

    @Test func fewAnswersPassOnTheTimeBoundAndTheOldInstanceIsRetired() async throws {
        let table = GatewayRouteTable()
        let harness = Harness(traffic: table)
        let (pass, old) = try await Self.switchToVersion2(harness, table)
        #expect(Self.answer(table, harness.key, status: 200) == "2")
        #expect(await harness.runtime.calls(.stop).isEmpty, "the previous instance stays warm")
        harness.manual.advance(by: .seconds(60))
        // The drain then waits its grace for nothing in flight: it ends at once.
        _ = await pass.value
        #expect(await harness.runtime.calls(.stop).map(\.instanceID) == [old])
        #expect(try #require(await harness.status()).state == .ready)
    }

    @Test func theWindowDecidesAsSoonAsTheOutcomeIsCertain() {
        let policy = VerificationPolicy(requests: 20, maximumErrorRatio: 0.1)
        #expect(policy.toleratedErrors == 2)
        let rolledBack = Mutex(0)
        let window = VerificationWindow(policy: policy) { rolledBack.withLock { $0 += 1 } }
        for _ in 0..<17 { window.record(status: 200) }
        window.record(status: 500)
        window.record(status: 500)
        #expect(window.outcome == nil)
        window.record(status: 200)
        #expect(window.outcome == .passed(answers: 20))
        window.record(status: 500)
        #expect(rolledBack.withLock { $0 } == 0)

        let failing = VerificationWindow(policy: policy) { rolledBack.withLock { $0 += 1 } }
        for status in [500, 404, 500, 200, 599] { failing.record(status: status) }
        #expect(failing.outcome == .rolledBack(answers: 5, errors: 3))
        #expect(rolledBack.withLock { $0 } == 1)
        #expect(VerificationPolicy(requests: 0).isEnabled == false)
    }
}
