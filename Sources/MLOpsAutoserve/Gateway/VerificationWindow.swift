import MLOpsCore
import MLOpsServing
import Synchronization

/// How a switch to a new version is checked on live traffic before the version it replaced is
/// stopped: the previous instance stays warm while the new one answers its first ``requests``
/// requests (or for ``duration``, whichever ends first). When more than ``maximumErrorRatio`` of
/// those answers are 5xx, traffic goes back to the previous instance at once.
public struct VerificationPolicy: Sendable, Hashable {
    /// Answers that decide; 0 turns verification off (the previous instance is retired at once).
    public var requests: Int
    /// The longest the previous instance is kept for it; fewer answers by then pass.
    public var duration: Duration
    /// The share of 5xx answers, among ``requests``, above which traffic goes back.
    public var maximumErrorRatio: Double

    /// 20 requests, 60 s, 10 %.
    public init(requests: Int = 20, duration: Duration = .seconds(60), maximumErrorRatio: Double = 0.1) {
        self.requests = max(0, requests)
        self.duration = duration
        self.maximumErrorRatio = min(1, max(0, maximumErrorRatio))
    }

    /// The most 5xx answers among ``requests`` that still pass.
    public var toleratedErrors: Int { Int((Double(requests) * maximumErrorRatio).rounded(.down)) }

    public var isEnabled: Bool { requests > 0 }
}

/// How a verification ended.
public enum VerificationOutcome: Sendable, Equatable {
    /// The new version passed on `answers` answers (fewer than asked when the time bound came first).
    case passed(answers: Int)
    /// Too many 5xx answers: traffic went back to the previous instance.
    case rolledBack(answers: Int, errors: Int)
    /// The wait was cancelled (the reconciler is stopping).
    case cancelled
}

/// The count of one verification: answers and 5xx answers of the new instance, decided as soon as
/// the outcome is certain. The data plane records answers on its event loops; the first record
/// that makes the outcome certain calls `onRollBack` (which moves the route back) before it returns.
final class VerificationWindow: Sendable {
    private struct State: Sendable {
        var answers = 0
        var errors = 0
        var outcome: VerificationOutcome?
        var waiter: CheckedContinuation<VerificationOutcome, Never>?
    }

    let policy: VerificationPolicy
    private let state = Mutex(State())
    private let onRollBack: @Sendable () -> Void

    init(policy: VerificationPolicy, onRollBack: @escaping @Sendable () -> Void) {
        self.policy = policy
        self.onRollBack = onRollBack
    }

    /// Counts one answer with HTTP status `status`.
    func record(status: Int) {
        let decided = state.withLock { state -> (VerificationOutcome, CheckedContinuation<VerificationOutcome, Never>?)? in
            guard state.outcome == nil else { return nil }
            state.answers += 1
            if status >= 500 { state.errors += 1 }
            let outcome: VerificationOutcome
            if state.errors > policy.toleratedErrors {
                outcome = .rolledBack(answers: state.answers, errors: state.errors)
            } else if state.answers >= policy.requests {
                outcome = .passed(answers: state.answers)
            } else {
                return nil
            }
            state.outcome = outcome
            defer { state.waiter = nil }
            return (outcome, state.waiter)
        }
        guard let (outcome, waiter) = decided else { return }
        if case .rolledBack = outcome { onRollBack() }
        waiter?.resume(returning: outcome)
    }

    /// Ends the window now (the time bound): it passes on the answers so far, unless already decided.
    func close(cancelled: Bool = false) {
        let closed = state.withLock { state -> (VerificationOutcome, CheckedContinuation<VerificationOutcome, Never>?)? in
            guard state.outcome == nil else { return nil }
            let outcome: VerificationOutcome = cancelled ? .cancelled : .passed(answers: state.answers)
            state.outcome = outcome
            defer { state.waiter = nil }
            return (outcome, state.waiter)
        }
        if let (outcome, waiter) = closed { waiter?.resume(returning: outcome) }
    }

    var outcome: VerificationOutcome? { state.withLock { $0.outcome } }

    /// Returns once the window is decided.
    func decided() async -> VerificationOutcome {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> VerificationOutcome? in
                if let outcome = state.outcome { return outcome }
                state.waiter = continuation
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }
}
