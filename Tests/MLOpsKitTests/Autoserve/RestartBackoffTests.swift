import MLOpsKit
import Testing

@Suite struct RestartBackoffTests {
    @Test func delaysDoubleFromTenSecondsToFiveMinutes() {
        var backoff = RestartBackoff()
        let start = ServingClock.Instant(offset: .seconds(100))
        var delays: [Duration] = []
        for step in 0..<8 {
            delays.append(backoff.nextDelay)
            backoff.recordRestart(at: start + .seconds(step), upSince: start + .seconds(step))
        }
        #expect(delays == [10, 20, 40, 80, 160, 300, 300, 300].map { Duration.seconds($0) })
        #expect(backoff.restarts == 8)
    }

    @Test func anInstanceUpForTenMinutesResetsTheCount() {
        var backoff = RestartBackoff()
        let start = ServingClock.Instant(offset: .seconds(100))
        backoff.recordRestart(at: start, upSince: nil)
        backoff.recordRestart(at: start + .seconds(30), upSince: start + .seconds(5))
        #expect(backoff.nextDelay == .seconds(40))
        // Up since the last restart for 11 minutes before this crash: counted afresh.
        backoff.recordRestart(at: start + .seconds(30 + 660), upSince: start + .seconds(30))
        #expect(backoff.restarts == 1)
        #expect(backoff.nextDelay == .seconds(20))
    }

    @Test func earliestRestartWaitsTheDelayAfterTheCrash() {
        let backoff = RestartBackoff(policy: .init(initialDelay: .seconds(2), maximumDelay: .seconds(5), resetAfter: .seconds(60)))
        let crash = ServingClock.Instant(offset: .seconds(100))
        #expect(backoff.earliestRestart(after: crash) == crash + .seconds(2))
        #expect(backoff.delay(afterFailures: 1) == .seconds(2))
        #expect(backoff.delay(afterFailures: 2) == .seconds(4))
        #expect(backoff.delay(afterFailures: 3) == .seconds(5))
    }

    @Test func aCrashAfterResetAfterOfUptimeWaitsTheInitialDelayAgain() {
        var backoff = RestartBackoff()
        let start = ServingClock.Instant(offset: .seconds(100))
        for step in 0..<5 { backoff.recordRestart(at: start + .seconds(step), upSince: nil) }
        #expect(backoff.nextDelay == .seconds(300))
        // Up for 5 s: still a crash loop.
        backoff.recordCrash(at: start + .seconds(10), upSince: start + .seconds(5))
        #expect(backoff.nextDelay == .seconds(300))
        // Up for 10 minutes: the crash that ends it is a first crash.
        backoff.recordCrash(at: start + .seconds(620), upSince: start + .seconds(20))
        #expect(backoff.nextDelay == .seconds(10))
        #expect(backoff.earliestRestart(after: start + .seconds(620)) == start + .seconds(630))
    }
}
