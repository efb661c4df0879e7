import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsOrchestration
@testable import MLOpsServing

@Suite("ConnectionReuseTracker")
struct ConnectionReuseTrackerTests {
    private let origin = "http://127.0.0.1:5000"

    @Test func switchesAfterTwoStallsOnReusedConnections() {
        var tracker = ConnectionReuseTracker(policy: .automatic)
        #expect(tracker.mayReuse(origin))
        // A stall on a fresh connection does not count: delayed ACKs do not hit new connections.
        let freshStall = tracker.record(origin: origin, reusedConnection: false, firstByte: 0.001, total: 0.045, bytes: 200)
        let firstStrike = tracker.record(origin: origin, reusedConnection: true, firstByte: 0.001, total: 0.044, bytes: 200)
        #expect(!freshStall && !firstStrike)
        #expect(tracker.mayReuse(origin))
        let secondStrike = tracker.record(origin: origin, reusedConnection: true, firstByte: 0.002, total: 0.046, bytes: 200)
        #expect(secondStrike)
        #expect(!tracker.mayReuse(origin))
        #expect(tracker.mayReuse("http://127.0.0.1:9000"))
    }

    @Test func promptResponsesAndLargeBodiesAreNotStalls() {
        var tracker = ConnectionReuseTracker(policy: .automatic)
        for _ in 0..<10 {
            _ = tracker.record(origin: origin, reusedConnection: true, firstByte: 0.001, total: 0.003, bytes: 200)
            _ = tracker.record(origin: origin, reusedConnection: true, firstByte: 0.001, total: 0.5, bytes: 10 << 20)
        }
        #expect(tracker.mayReuse(origin))
    }

    @Test func fixedPoliciesIgnoreTimings() {
        var always = ConnectionReuseTracker(policy: .always)
        for _ in 0..<5 { _ = always.record(origin: origin, reusedConnection: true, firstByte: 0, total: 1, bytes: 1) }
        #expect(always.mayReuse(origin))
        #expect(!ConnectionReuseTracker(policy: .never).mayReuse(origin))
    }
}
