import Foundation
import MLOpsKit
import MLOpsKitTestSupport
import Testing

@Suite(.timeLimit(.minutes(1)))
struct ServingClockTests {
    @Test func instantsCountFromWhenTheClockWasWrapped() {
        let manual = ManualClock(now: ManualClock.Instant(offset: .seconds(1_000)))
        let clock = ServingClock(manual, wallTimeAtStart: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(clock.now == ServingClock.Instant(offset: .zero))
        manual.advance(by: .milliseconds(2_500))
        #expect(clock.now == ServingClock.Instant(offset: .milliseconds(2_500)))
        #expect(clock.now - ServingClock.Instant(offset: .seconds(1)) == .milliseconds(1_500))
        #expect(clock.now - .seconds(2) == ServingClock.Instant(offset: .milliseconds(500)))
    }

    @Test func wallTimeFollowsTheWrappedClock() {
        let manual = ManualClock()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let clock = ServingClock(manual, wallTimeAtStart: start)
        #expect(clock.wallTime() == start)
        manual.advance(by: .milliseconds(90_250))
        #expect(clock.wallTime() == start.addingTimeInterval(90.25))
        #expect(clock.unixSeconds() == 1_800_000_090)
    }

    @Test func sleepingWaitsForTheWrappedClockAndEndsOnCancellation() async throws {
        let manual = ManualClock()
        let clock = ServingClock(manual, wallTimeAtStart: Date(timeIntervalSince1970: 0))
        let sleeper = Task { try await clock.sleep(for: .seconds(10)) }
        await manual.waitForSleeper(until: ManualClock.Instant(offset: .seconds(10)))
        manual.advance(by: .seconds(10))
        try await sleeper.value

        let cancelled = Task { try await clock.sleep(until: clock.now + .seconds(60)) }
        await manual.waitForSleepers(count: 1)
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(manual.sleeperCount == 0)
    }

    @Test func theSystemClockMovesWithRealTime() async throws {
        let clock = ServingClock.system
        let before = clock.now
        try await clock.sleep(for: .milliseconds(20))
        #expect(clock.now - before >= .milliseconds(20))
        #expect(abs(clock.wallTime().timeIntervalSinceNow) < 5)
    }
}
