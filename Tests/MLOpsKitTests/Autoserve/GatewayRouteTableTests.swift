import Foundation
@testable import MLOpsAutoserve
import MLOpsKit
import MLOpsKitTestSupport
import Testing

/// The gateway's route table: leases, the switch, and drains on a manual clock.
@Suite(.timeLimit(.minutes(1)))
struct GatewayRouteTableTests {
    let key = ServingKey(model: "iris", alias: "Production")
    let manual = ManualClock()
    let clock: ServingClock

    init() {
        clock = ServingClock(manual, wallTimeAtStart: Date(timeIntervalSince1970: 1_800_000_000))
    }

    func instance(_ id: String, version: String, port: Int) -> ServingInstance {
        ServingInstance(
            id: id, name: "mlflow-serve-iris-production", labels: [ServingLabels.version: version], state: .running,
            endpoint: URL(string: "http://127.0.0.1:\(port)"))
    }

    func leasedTarget(_ table: GatewayRouteTable) throws -> UpstreamTarget {
        guard case .target(let target) = table.lease(for: key) else {
            Issue.record("no target for \(key)")
            throw CancellationError()
        }
        return target
    }

    @Test func anUnknownKeyIsUnknownAndAnUnservedOneSaysWhenToRetry() {
        let table = GatewayRouteTable()
        guard case .unknown = table.lease(for: key) else { Issue.record("known"); return }
        table.unavailable(key, retryAfter: .seconds(20))
        guard case .unavailable(let retryAfter) = table.lease(for: key) else { Issue.record("routed"); return }
        #expect(retryAfter == .seconds(20))
        table.remove(key)
        guard case .unknown = table.lease(for: key) else { Issue.record("still known"); return }
    }

    @Test func aSwitchSendsNewRequestsToTheNewInstanceWhileOldOnesFinish() async throws {
        let table = GatewayRouteTable()
        table.serve(key, instance: instance("old", version: "1", port: 5001))
        let inFlight = try leasedTarget(table)
        #expect(inFlight.version == "1")
        #expect(inFlight.requestsInFlight == 1)

        table.serve(key, instance: instance("new", version: "2", port: 5002))
        let next = try leasedTarget(table)
        #expect(next.version == "2")
        next.release()
        #expect(table.routedKeys() == [key: "2"])

        let drain = Task { await table.drain(["old"], until: clock.now + .seconds(10), clock: clock) }
        await manual.waitForSleepers(count: 1)
        #expect(inFlight.isClosed)
        #expect(table.target(instanceID: "old") != nil, "held until drained")
        inFlight.release()
        #expect(await drain.value == .drained)
        #expect(manual.now.offset == .zero, "drained without waiting for the grace")
        #expect(table.target(instanceID: "old") == nil)
        #expect(try leasedTarget(table).version == "2")
    }

    @Test func aDrainEndsAtItsDeadlineWithTheRequestsStillInFlight() async throws {
        let table = GatewayRouteTable()
        table.serve(key, instance: instance("old", version: "1", port: 5001))
        let first = try leasedTarget(table)
        let second = try leasedTarget(table)
        let drain = Task { await table.drain(["old"], until: clock.now + .seconds(10), clock: clock) }
        await manual.waitForSleeper(until: ManualClock.Instant(offset: .seconds(10)))
        manual.advance(by: .seconds(10))
        #expect(await drain.value == .deadlinePassed(requestsInFlight: 2))
        first.release()
        second.release()
        #expect(first.requestsInFlight == 0)
    }

    @Test func aClosedTargetTakesNoLeaseAndTheRequestIsRoutedAgain() async throws {
        let table = GatewayRouteTable()
        table.serve(key, instance: instance("old", version: "1", port: 5001))
        let old = try #require(table.target(instanceID: "old"))
        let drain = Task { await table.drain(["old"], until: clock.now + .seconds(10), clock: clock) }
        #expect(await drain.value == .drained)
        #expect(!old.tryAcquire())
        #expect(old.requestsInFlight == 0)
        guard case .unavailable = table.lease(for: key) else { Issue.record("routed to a drained instance"); return }
    }

    @Test func manyRequestsRacingASwitchAndADrainLeaveNoLeaseBehind() async throws {
        let table = GatewayRouteTable()
        table.serve(key, instance: instance("old", version: "1", port: 5001))
        let key = self.key
        let newInstance = instance("new", version: "2", port: 5002)
        let clock = self.clock
        // The clock never moves: the drain can only end by the last lease on "old" coming back.
        let outcome = await withTaskGroup(of: DrainOutcome?.self) { group in
            for _ in 0..<2_000 {
                group.addTask {
                    if case .target(let target) = table.lease(for: key) { target.release() }
                    return nil
                }
            }
            group.addTask {
                table.serve(key, instance: newInstance)
                return await table.drain(["old"], until: clock.now + .seconds(10), clock: clock)
            }
            var outcome: DrainOutcome?
            for await result in group where result != nil { outcome = result }
            return outcome
        }
        #expect(outcome == .drained)
        #expect(table.target(instanceID: "old") == nil)
        #expect(try leasedTarget(table).version == "2")
    }

    @Test func hostNamesFollowTheKeysTheTableKnows() {
        let table = GatewayRouteTable()
        #expect(table.target(method: "POST", uri: "/invocations", host: "mlflow-serve-iris-production") != .key(
            key, handler: "/invocations", path: "/invocations"))
        table.unavailable(key, retryAfter: .seconds(5))
        #expect(table.target(method: "POST", uri: "/invocations", host: "mlflow-serve-iris-production")
            == .key(key, handler: "/invocations", path: "/invocations"))
        table.remove(key)
        guard case .notFound = table.target(method: "POST", uri: "/invocations", host: "mlflow-serve-iris-production")
        else { Issue.record("a removed key is still routed by host"); return }
    }
}
