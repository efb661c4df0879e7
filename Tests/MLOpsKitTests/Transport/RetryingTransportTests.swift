import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

@Suite("RetryingTransport")
struct RetryingTransportTests {
    private let fast = RetryPolicy(maximumAttempts: 4, initialBackoff: .milliseconds(10), maximumBackoff: .milliseconds(50))

    private func attempts(_ response: TransportResponse) throws -> Int {
        struct Attempt: Decodable { var attempt: Int }
        return try JSONDecoder().decode(Attempt.self, from: response.body).attempt
    }

    @Test func retries503EvenForPost() async throws {
        let server = TestHTTPServer.shared
        let transport = RetryingTransport(wrapping: CurlTransport(), policy: fast)
        let response = try await transport.send(TransportRequest(method: .post, url: server.url("/flaky/a/2/503")))
        #expect(response.status == 200)
        #expect(try attempts(response) == 3)
    }

    @Test func retries429WithRetryAfter() async throws {
        let server = TestHTTPServer.shared
        let transport = RetryingTransport(wrapping: CurlTransport(), policy: fast)
        let response = try await transport.send(TransportRequest(method: .post, url: server.url("/flaky/b/1/429")))
        #expect(response.status == 200)
        #expect(try attempts(response) == 2)
    }

    @Test func doesNotRepeatNonIdempotentRequestsOn502() async throws {
        let server = TestHTTPServer.shared
        let transport = RetryingTransport(wrapping: CurlTransport(), policy: fast)
        let response = try await transport.send(TransportRequest(method: .post, url: server.url("/flaky/c/2/502")))
        #expect(response.status == 502)
        #expect(try attempts(response) == 1)
    }

    @Test func repeatsIdempotentRequestsOn502() async throws {
        let server = TestHTTPServer.shared
        let transport = RetryingTransport(wrapping: CurlTransport(), policy: fast)
        let get = try await transport.send(TransportRequest(url: server.url("/flaky/d/2/502")))
        let getAttempts = try attempts(get)
        #expect(get.status == 200 && getAttempts == 3)
        let markedPost = try await transport.send(
            TransportRequest(method: .post, url: server.url("/flaky/e/1/504"), isIdempotent: true))
        let postAttempts = try attempts(markedPost)
        #expect(markedPost.status == 200 && postAttempts == 2)
    }

    @Test func givesUpAfterMaximumAttemptsWithTheLastResponse() async throws {
        let server = TestHTTPServer.shared
        let transport = RetryingTransport(wrapping: CurlTransport(), policy: fast)
        let response = try await transport.send(TransportRequest(url: server.url("/flaky/f/10/503")))
        #expect(response.status == 503)
        #expect(try attempts(response) == 4)
    }

    @Test func doesNotRetryClientErrors() async throws {
        let server = TestHTTPServer.shared
        let transport = RetryingTransport(wrapping: CurlTransport(), policy: fast)
        let response = try await transport.send(TransportRequest(url: server.url("/flaky/g/1/400")))
        #expect(response.status == 400)
    }

    @Test func retriesRefusedConnectionsAndCountsAttempts() async throws {
        let transport = RetryingTransport(wrapping: CurlTransport(), policy: fast)
        let error = await #expect(throws: HTTPTransportError.self) {
            try await transport.send(TransportRequest(method: .post, url: URL(string: "http://127.0.0.1:9/x")!))
        }
        #expect(error?.code == .couldNotConnect)
        #expect(error?.attempts == 4)
        #expect(error.map { "\($0)" }?.contains("after 4 attempts") == true)
    }

    @Test func respectsTheWaitBudget() async throws {
        let server = TestHTTPServer.shared
        var policy = fast
        policy.budget = .milliseconds(100)
        let transport = RetryingTransport(wrapping: CurlTransport(), policy: policy)
        let clock = ContinuousClock()
        let started = clock.now
        // The server asks for 30 s; that is over budget, so the 503 comes back at once.
        let response = try await transport.send(TransportRequest(url: server.url("/status/503?retry_after=30")))
        #expect(response.status == 503)
        // Waiting as asked would take 30 s; the bound leaves room for a test host whose cooperative
        // threads are busy with other suites' subprocesses.
        #expect(clock.now - started < .seconds(20))
    }

    @Test func backoffGrowsAndStaysWithinBounds() {
        var generator = SystemRandomNumberGenerator()
        let policy = RetryPolicy(maximumAttempts: 10, initialBackoff: .milliseconds(100), maximumBackoff: .seconds(1))
        for retry in 1...8 {
            let wait = policy.backoff(beforeRetry: retry, using: &generator)
            let ceiling = min(0.1 * pow(2, Double(retry - 1)), 1.0)
            #expect(wait.seconds >= ceiling / 2 - 0.001 && wait.seconds <= ceiling + 0.001)
        }
    }

    @Test func parsesRetryAfter() {
        #expect(RetryPolicy.retryAfter("7") == .seconds(7))
        #expect(RetryPolicy.retryAfter("nonsense") == nil)
        let now = Date(timeIntervalSince1970: 1_445_412_480)  // Wed, 21 Oct 2015 07:28:00 GMT
        #expect(RetryPolicy.retryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now: now) == .seconds(30))
    }
}
