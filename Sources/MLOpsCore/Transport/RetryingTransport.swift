import Logging

/// Wraps another transport and repeats requests that failed in a way ``RetryPolicy`` deems safe to
/// repeat.
///
/// When the attempts or the wait budget run out, the last response is returned (so the client sees the
/// server's own error) or the last transport error is thrown with its attempt count. Cancelling the
/// calling task ends the waiting at once.
public struct RetryingTransport: HTTPTransport {
    public let base: any HTTPTransport
    public let policy: RetryPolicy
    private let logger: Logger

    public init(wrapping base: any HTTPTransport, policy: RetryPolicy = RetryPolicy(), logger: Logger = .disabled) {
        self.base = base
        self.policy = policy
        self.logger = logger
    }

    public func send(_ request: TransportRequest) async throws -> TransportResponse {
        var generator = SystemRandomNumberGenerator()
        var waited = Duration.zero
        var attempt = 1
        while true {
            let wait: Duration
            let reason: String
            do {
                let response = try await base.send(request)
                guard attempt < policy.maximumAttempts, policy.mayRetry(status: response.status, for: request) else {
                    return response
                }
                let requested = RetryPolicy.retryAfter(response.headers["Retry-After"])
                wait = requested ?? policy.backoff(beforeRetry: attempt, using: &generator)
                reason = "status \(response.status)"
                if waited + wait > policy.budget { return response }
            } catch var error as HTTPTransportError {
                error.attempts = attempt
                guard attempt < policy.maximumAttempts, policy.mayRetry(error, for: request) else { throw error }
                wait = policy.backoff(beforeRetry: attempt, using: &generator)
                reason = "\(error.code)"
                if waited + wait > policy.budget { throw error }
            }
            logger.debug(
                "retrying request",
                metadata: [
                    "method": "\(request.method)", "url": "\(Redaction.redact(request.url))",
                    "attempt": "\(attempt + 1)", "reason": "\(reason)", "wait_ms": "\(wait.milliseconds)",
                ])
            try await Task.sleep(for: wait)
            waited += wait
            attempt += 1
        }
    }
}
