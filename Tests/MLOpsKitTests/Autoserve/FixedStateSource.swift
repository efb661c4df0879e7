import Foundation
import Synchronization

@testable import MLOpsKit
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// A state source with fixed statuses and snapshot that records enqueued keys.
final class FixedStateSource: AutoserveStateSource {
    let fixedStatuses: [ServingStatus]
    let snapshot: RegistrySnapshot?
    private let enqueuedKeys = Mutex<[ServingKey]>([])

    init(statuses: [ServingStatus] = [], snapshot: RegistrySnapshot? = nil) {
        self.fixedStatuses = statuses
        self.snapshot = snapshot
    }

    var enqueued: [ServingKey] { enqueuedKeys.withLock { $0 } }

    func statusDocument() async -> AutoserveStatusDocument {
        AutoserveStatusDocument(
            runtime: "process", aliases: ["Production"], lastSync: snapshot == nil ? nil : AutoserveFixtures.since,
            lastSyncError: nil, keys: fixedStatuses)
    }
    func lastSnapshot() async -> RegistrySnapshot? { snapshot }
    func enqueue(_ key: ServingKey) { enqueuedKeys.withLock { $0.append(key) } }
}
