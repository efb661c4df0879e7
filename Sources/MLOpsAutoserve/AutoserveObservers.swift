import MLOpsCore
import MLOpsServing

/// Several observers as one: every call goes to each, in order.
public struct AutoserveObservers: AutoserveObserver {
    public let observers: [any AutoserveObserver]

    public init(_ observers: [any AutoserveObserver]) {
        self.observers = observers
    }

    public func registryRead(_ snapshot: RegistrySnapshot, duration: Duration) {
        for observer in observers { observer.registryRead(snapshot, duration: duration) }
    }

    public func reconcileFinished(duration: Duration, error: (any Error)?) {
        for observer in observers { observer.reconcileFinished(duration: duration, error: error) }
    }

    public func decided(_ decision: AutoserveDecision) {
        for observer in observers { observer.decided(decision) }
    }

    public func rolloutFinished(
        key: ServingKey, version: String, succeeded: Bool, duration: Duration, propagation: Duration?
    ) {
        for observer in observers {
            observer.rolloutFinished(
                key: key, version: version, succeeded: succeeded, duration: duration, propagation: propagation)
        }
    }

    public func instanceRestarted(key: ServingKey, version: String) {
        for observer in observers { observer.instanceRestarted(key: key, version: version) }
    }

    public func statusesChanged(_ statuses: [ServingStatus]) {
        for observer in observers { observer.statusesChanged(statuses) }
    }
}
