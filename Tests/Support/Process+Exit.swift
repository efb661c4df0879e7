import Foundation

extension Process {
    /// Starts the process and waits for it to exit without blocking a thread.
    ///
    /// `waitUntilExit()` blocks the calling thread; on the few threads of Swift's cooperative pool that
    /// stalls unrelated tests (a child that runs for seconds can starve every other task on a 2-core
    /// machine). This suspends instead, and resumes from the process's termination handler. Cancelling
    /// the task terminates the process (SIGTERM).
    public func runUntilExit() async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                terminationHandler = { _ in continuation.resume() }
                do {
                    try run()
                } catch {
                    terminationHandler = nil
                    continuation.resume(throwing: error)
                }
            }
        } onCancel: {
            if isRunning { terminate() }
        }
    }
}
