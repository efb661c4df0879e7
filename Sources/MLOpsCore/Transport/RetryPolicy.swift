#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// When and how often a ``RetryingTransport`` repeats a failed request.
///
/// A request is repeated only when that is safe:
/// - a connection that could not be made (the request never left) — any method;
/// - a `429 Too Many Requests` or `503 Service Unavailable` answer — any method, since the server says it
///   did not act on the request;
/// - a transient failure after sending (timeout, broken connection) or a `502`/`504` — only requests
///   marked ``TransportRequest/isIdempotent``.
///
/// Waits grow exponentially with full jitter, honour a `Retry-After` header, and never add up to more
/// than ``budget`` per call.
public struct RetryPolicy: Sendable, Hashable {
    /// Most attempts per call, the first included. 1 turns retries off.
    public var maximumAttempts: Int = 5
    /// The wait before the first retry, before jitter.
    public var initialBackoff: Duration = .milliseconds(200)
    /// The longest single wait, before jitter.
    public var maximumBackoff: Duration = .seconds(10)
    /// Growth of the wait from one retry to the next.
    public var multiplier: Double = 2
    /// The most time one call may spend waiting between attempts in total.
    public var budget: Duration = .seconds(30)
    /// Statuses that may be retried (see the type's rules for which methods).
    public var retryableStatuses: Set<Int> = [429, 502, 503, 504]

    public init() {}

    public init(maximumAttempts: Int, initialBackoff: Duration = .milliseconds(200),
                maximumBackoff: Duration = .seconds(10), budget: Duration = .seconds(30)) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.budget = budget
    }

    /// No retries.
    public static let none = RetryPolicy(maximumAttempts: 1)

    /// Whether a response with `status` to `request` may be repeated.
    public func mayRetry(status: Int, for request: TransportRequest) -> Bool {
        guard retryableStatuses.contains(status) else { return false }
        return status == 429 || status == 503 || request.isIdempotent
    }

    /// Whether a failure to get any response to `request` may be repeated.
    public func mayRetry(_ error: HTTPTransportError, for request: TransportRequest) -> Bool {
        if error.requestWasNotSent { return true }
        return error.isTransient && request.isIdempotent
    }

    /// The wait before retry number `retry` (1 for the first retry), with full jitter.
    public func backoff(beforeRetry retry: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        var exponent = 1.0
        for _ in 1..<max(1, retry) { exponent *= multiplier }
        let ceiling = min(initialBackoff.seconds * exponent, maximumBackoff.seconds)
        let jittered = Double.random(in: (ceiling / 2)...max(ceiling / 2, ceiling), using: &generator)
        return .milliseconds(Int64(jittered * 1000))
    }

    /// The wait a `Retry-After` header asks for: delay seconds or an HTTP date.
    public static func retryAfter(_ value: String?, now: Date = Date()) -> Duration? {
        guard let value = value?.trimmingWhitespace(), !value.isEmpty else { return nil }
        if let seconds = Int(value) { return .seconds(max(0, seconds)) }
        guard let seconds = HTTPDate.secondsSince1970(value) else { return nil }
        let wait = Double(seconds) - now.timeIntervalSince1970
        return .milliseconds(Int64(max(0, wait) * 1000))
    }
}
