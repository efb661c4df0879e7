import Foundation
@testable import MLOpsAutoserve
import MLOpsKit
import MLOpsKitTestSupport
import Testing

/// The reconciler's bookkeeping rules, alone: synchronous, on a manual clock.
@Suite struct ServingKeyBookTests {
    let manual = ManualClock()
    let clock: ServingClock
    let key = ServingKey(model: "iris", alias: "Production")
    static let wallStart = Date(timeIntervalSince1970: 1_800_000_000)

    init() {
        clock = ServingClock(manual, wallTimeAtStart: Self.wallStart)
    }

    func makeBook() -> ServingKeyBook { ServingKeyBook(policy: RestartBackoff.Policy(), clock: clock) }

    func instance(_ id: String, version: String) -> ServingInstance {
        ServingInstance(
            id: id, name: "mlflow-serve-iris-production", labels: [ServingLabels.version: version], state: .running,
            endpoint: URL(string: "http://127.0.0.1:5001"))
    }

    @Test func aNewKeyIsPendingAndReadyMovesEveryCondition() throws {
        var book = makeBook()
        book.ensure(key)
        #expect(book[key]?.status.state == .progressing)
        #expect(book[key]?.status.reason == "Pending")
        manual.advance(by: .seconds(5))
        book.markReady(key, instance: instance("a", version: "3"))
        let status = try #require(book[key]?.status)
        #expect(status.state == .ready)
        #expect(status.servingVersion == "3")
        #expect(status.instanceID == "a")
        #expect(status.since == Self.wallStart.addingTimeInterval(5))
        #expect(status.conditions.map(\.status) == [true, false, false])
        let moved = Self.wallStart.addingTimeInterval(5)
        #expect(status.conditions.map(\.lastTransitionTime) == [moved, moved, Self.wallStart], "Degraded was false and stays so")
        #expect(book[key]?.confirmedInstances == ["a"])
    }

    @Test func aConditionsTransitionTimeChangesOnlyWhenItDoes() throws {
        var book = makeBook()
        book.setStatus(key, .degraded, reason: "CrashLoopBackOff", message: "restarting in 10 s")
        manual.advance(by: .seconds(10))
        book.setStatus(key, .degraded, reason: "CrashLoopBackOff", message: "restarting in 20 s")
        let degraded = try #require(book[key]?.status.conditions.first { $0.type == .degraded })
        #expect(degraded.lastTransitionTime == Self.wallStart)
        #expect(degraded.message == "restarting in 20 s")
        #expect(book[key]?.status.since == Self.wallStart)
    }

    @Test func crashesBackOffTenTwentyFortySecondsFromWhenTheyWereNoticed() throws {
        var book = makeBook()
        book.ensure(key)
        var delays: [Duration] = []
        for _ in 0..<4 {
            let noticed = clock.now
            let earliest = book.earliestRestart(key)
            delays.append(earliest - noticed)
            manual.advance(to: ManualClock.Instant(offset: earliest.offset))
            book.recordRestart(key)
            #expect(book.restartFailed(key) == book[key]?.backoff.nextDelay)
        }
        #expect(delays == [.seconds(10), .seconds(20), .seconds(40), .seconds(80)])
    }

    @Test func anInstanceUpForResetAfterStartsTheBackOffAgain() throws {
        var book = makeBook()
        book.ensure(key)
        book.recordRestart(key)
        book.recordRestart(key)
        book.markReady(key, instance: instance("a", version: "1"))
        manual.advance(by: .seconds(601))
        book.recordRestart(key)
        #expect(book[key]?.backoff.restarts == 1)
    }

    @Test func aFailedVersionIsBlockedUntilItsRetryTimeWithTheDelayDoubling() throws {
        var book = makeBook()
        book.ensure(key)
        let serving = instance("old", version: "1")
        let first = book.rolloutFailed(key, version: "2", reason: "ReadinessTimeout", message: "m", keepServing: serving)
        #expect(first == .seconds(10))
        #expect(book.context(for: key) == ServingPlanner.KeyContext(
            failedVersion: "2", failedReason: "ReadinessTimeout", failedMessage: "m", blockedUntilPassed: false))
        #expect(book[key]?.status.state == .degraded)
        #expect(book[key]?.status.servingVersion == "1")
        manual.advance(by: .seconds(10))
        #expect(book.context(for: key).blockedUntilPassed)
        #expect(book.rolloutFailed(key, version: "2", reason: "ReadinessTimeout", message: "m", keepServing: serving) == .seconds(20))
    }

    @Test func aSwitchForgetsFailuresAndReportsThePropagationTime() throws {
        var book = makeBook()
        book.ensure(key)
        book.observeDesired("1", key: key, at: clock.now, settleInterval: .seconds(2))
        _ = book.rolloutFailed(key, version: "1", reason: "StartFailed", message: "m", keepServing: nil)
        manual.advance(by: .seconds(12))
        let propagation = book.switched(key, to: instance("a", version: "1"), version: "1")
        #expect(propagation == .seconds(12))
        #expect(book[key]?.failedVersion == nil)
        #expect(book[key]?.failedAttempts == 0)
        #expect(book[key]?.changeSeenAt == nil)
        #expect(book[key]?.status.state == .ready)
    }

    @Test func changesCloserThanTheSettleIntervalAreABurst() throws {
        var book = makeBook()
        book.ensure(key)
        book.observeDesired("1", key: key, at: clock.now, settleInterval: .seconds(2))
        #expect(book[key]?.inBurst == false)
        manual.advance(by: .seconds(30))
        book.observeDesired("2", key: key, at: clock.now, settleInterval: .seconds(2))
        #expect(book[key]?.inBurst == false, "a change after a quiet spell starts a burst, it is not one yet")
        manual.advance(by: .seconds(1))
        book.observeDesired("3", key: key, at: clock.now, settleInterval: .seconds(2))
        #expect(book[key]?.inBurst == true)
        #expect(book[key]?.desiredChangedAt == clock.now)
    }

    @Test func anExitOfTheServingInstanceIsNotedAndOthersAreNot() throws {
        var book = makeBook()
        book.markReady(key, instance: instance("a", version: "1"))
        let other = ServingRuntimeEvent(instanceID: "b", labels: [:], kind: .exited(exitCode: 1))
        #expect(book.noteExit(other) == nil)
        manual.advance(by: .seconds(3))
        let exit = ServingRuntimeEvent(instanceID: "a", labels: [:], kind: .exited(exitCode: 137))
        #expect(book.noteExit(exit) == key)
        #expect(book[key]?.crashedAt == clock.now)
        #expect(book[key]?.confirmedInstances.isEmpty == true)
    }
}
