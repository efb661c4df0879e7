import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsMLflow
@testable import MLOpsAutoserve

/// Readiness as `/readyz` reports it, inferred from the reconciler's observer calls.
@Suite struct AutoserveHealthTests {
    struct Unreachable: Error, CustomStringConvertible {
        var description: String { "MLflow unreachable" }
    }

    @Test func readyAfterAResyncThatReadTheRegistry() {
        let health = AutoserveHealth()
        #expect(!health.readiness.isReady)
        #expect(health.readiness.reason == "the first resync has not completed")

        health.registryRead(AutoserveFixtures.snapshot, duration: .milliseconds(5))
        #expect(!health.readiness.isReady, "the resync has not finished")
        health.reconcileFinished(duration: .milliseconds(9), error: nil)
        #expect(health.readiness.isReady)
        #expect(health.readiness.lastSuccessfulSync != nil)

        // A resync that could not read the registry.
        health.reconcileFinished(duration: .milliseconds(9), error: Unreachable())
        #expect(!health.readiness.isReady)
        #expect(health.readiness.reason == "the model registry could not be read: MLflow unreachable")

        // Read again, though a runtime error ended the resync: ready.
        health.registryRead(AutoserveFixtures.snapshot, duration: .milliseconds(5))
        health.reconcileFinished(duration: .milliseconds(9), error: Unreachable())
        #expect(health.readiness.isReady)
    }

    @Test func observersFanOut() {
        let first = AutoserveHealth(), second = AutoserveHealth()
        let both = AutoserveObservers([first, second])
        both.registryRead(AutoserveFixtures.snapshot, duration: .zero)
        both.reconcileFinished(duration: .zero, error: nil)
        #expect(first.readiness.isReady && second.readiness.isReady)
    }
}
