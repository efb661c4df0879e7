import Foundation
import MLOpsKit
import MLOpsKitTestSupport
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(1)))
struct ManualClockTests {
    typealias Instant = ManualClock.Instant

    final class Recorder: Sendable {
        private let storage = Mutex<[Int]>([])
        func append(_ value: Int) { storage.withLock { $0.append(value) } }
        var values: [Int] { storage.withLock { $0 } }
    }

    static func sleeper(_ clock: ManualClock, until seconds: Int, recordingIn recorder: Recorder) -> Task<Void, any Error> {
        Task {
            try await clock.sleep(until: Instant(offset: .seconds(seconds)))
            recorder.append(seconds)
        }
    }

    @Test func startsAtZeroAndMovesOnlyWhenAdvanced() {
        let clock = ManualClock()
        #expect(clock.now == Instant(offset: .zero))
        clock.advance(by: .seconds(5))
        #expect(clock.now == Instant(offset: .seconds(5)))
        clock.advance(to: Instant(offset: .seconds(3)))
        #expect(clock.now == Instant(offset: .seconds(5)), "never backwards")
        clock.advance(to: Instant(offset: .seconds(7)))
        #expect(clock.now.offset == .seconds(7))
    }

    @Test func aSleepReturnsAtOnceWhenItsDeadlineHasCome() async throws {
        let clock = ManualClock(now: Instant(offset: .seconds(10)))
        try await clock.sleep(until: Instant(offset: .seconds(10)))
        try await clock.sleep(until: Instant(offset: .seconds(1)))
        #expect(clock.sleepCount == 0)
        #expect(clock.sleeperCount == 0)
    }

    @Test func aSleeperWaitsUntilTheClockPassesItsDeadline() async throws {
        let clock = ManualClock()
        let done = Recorder()
        let task = Task {
            try await clock.sleep(for: .seconds(10))
            done.append(1)
        }
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == Instant(offset: .seconds(10)))
        clock.advance(by: .seconds(9))
        #expect(clock.sleeperCount == 1)
        #expect(done.values.isEmpty)
        clock.advance(by: .seconds(1))
        try await task.value
        #expect(done.values == [1])
        #expect(clock.sleeperCount == 0)
        #expect(clock.nextDeadline == nil)
    }

    @Test func advancingToTheNextDeadlineResumesTheEarliestSleeperOnly() async throws {
        let clock = ManualClock()
        let order = Recorder()
        // Registered latest deadline first.
        var tasks: [Int: Task<Void, any Error>] = [:]
        for seconds in [30, 10, 20] {
            tasks[seconds] = Self.sleeper(clock, until: seconds, recordingIn: order)
            await clock.waitForSleepers(count: tasks.count)
        }
        #expect(clock.deadlines == [10, 20, 30].map { Instant(offset: .seconds($0)) })
        for (step, expected) in [10, 20, 30].enumerated() {
            let next = try #require(clock.advanceToNextDeadline())
            #expect(next == Instant(offset: .seconds(expected)))
            #expect(clock.now == next)
            #expect(clock.deadlines == [10, 20, 30].dropFirst(step + 1).map { Instant(offset: .seconds($0)) })
            try await #require(tasks[expected]).value
        }
        #expect(order.values == [10, 20, 30])
        #expect(clock.advanceToNextDeadline() == nil)
    }

    @Test func cancellingASleeperThrowsAndRemovesIt() async {
        let clock = ManualClock()
        let task = Task { try await clock.sleep(for: .seconds(60)) }
        await clock.waitForSleepers(count: 1)
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(clock.sleeperCount == 0)
    }

    @Test func aTaskCancelledBeforeItSleepsThrowsAtOnce() async {
        let clock = ManualClock()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await clock.sleep(for: .seconds(60))
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(clock.sleeperCount == 0)
    }

    @Test func waitingForASleeperIsResumedByItsRegistration() async throws {
        let clock = ManualClock()
        let waiter = Task { await clock.waitForSleeper(until: Instant(offset: .seconds(20))) }
        let first = Task { try await clock.sleep(for: .seconds(10)) }
        await clock.waitForSleepers(count: 1)
        let second = Task { try await clock.sleep(for: .seconds(20)) }
        await waiter.value
        #expect(clock.sleeperCount == 2)
        #expect(clock.sleepCount == 2)
        clock.advance(by: .seconds(20))
        try await first.value
        try await second.value
    }

    @Test func aCancelledWaitReturns() async {
        let clock = ManualClock()
        let waiter = Task { await clock.waitForSleepers(count: 5) }
        waiter.cancel()
        await waiter.value
        #expect(clock.sleeperCount == 0)
    }

    @Test func drivesAServingClock() async throws {
        let manual = ManualClock(now: Instant(offset: .seconds(1_000)))
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let clock = ServingClock(manual, wallTimeAtStart: start)
        #expect(clock.now.offset == .zero)
        let task = Task { try await clock.sleep(for: .seconds(300)) }
        await manual.waitForSleeper(until: Instant(offset: .seconds(1_300)))
        manual.advance(by: .seconds(300))
        try await task.value
        #expect(clock.now.offset == .seconds(300))
        #expect(clock.wallTime() == start.addingTimeInterval(300))
    }
}
