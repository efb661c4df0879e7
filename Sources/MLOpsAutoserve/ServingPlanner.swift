import MLOpsCore
import MLOpsMLflow
import MLOpsServing

/// The reconciler's decisions as a pure function of what the registry wants and what the runtime has,
/// so they can be shown (`--dry-run`) and tested without running anything.
public struct ServingPlanner: Sendable {
    /// One step for one key.
    public enum Step: Sendable, Equatable {
        /// Start `version` make-before-break: create an instance (or start `existing`, a matching one
        /// that is not running), wait for it to be ready, then retire `retiring`.
        case rollout(version: String, existing: ServingInstance?, retiring: [ServingInstance], reason: String)
        /// Restart the key's crashed serving instance, no earlier than the back-off allows.
        case restart(ServingInstance, reason: String)
        /// The instance serves the desired version: keep it; `retiring` are leftovers to retire once it
        /// is confirmed ready (an interrupted rollout), and `rename` says it still carries a candidate name.
        case keep(ServingInstance, retiring: [ServingInstance], rename: Bool)
        /// Remove an instance nobody wants (alias gone, duplicate).
        case remove(ServingInstance, reason: String)
        /// Nothing to do yet (version not READY, back-off, blocked version); the key's state and reason.
        case wait(state: ServingState, reason: String, message: String)
    }

    /// What the planner knows about a key beyond registry and runtime.
    public struct KeyContext: Sendable, Equatable {
        /// A version whose rollout failed, which is not tried again until ``blockedUntilPassed`` is true.
        public var failedVersion: String?
        public var failedReason: String?
        /// What went wrong, for the status message while the version waits.
        public var failedMessage: String?
        /// Whether the failed version's retry time has come.
        public var blockedUntilPassed: Bool
        /// Whether the failed version waits for the alias to move, not for a time.
        public var waitsForAliasMove: Bool

        public init(
            failedVersion: String? = nil, failedReason: String? = nil, failedMessage: String? = nil,
            blockedUntilPassed: Bool = true, waitsForAliasMove: Bool = false
        ) {
            self.waitsForAliasMove = waitsForAliasMove
            self.failedVersion = failedVersion
            self.failedReason = failedReason
            self.failedMessage = failedMessage
            self.blockedUntilPassed = blockedUntilPassed
        }
    }

    public var configHash: String
    public var removesInstancesWhenAliasIsGone: Bool

    public init(configHash: String, removesInstancesWhenAliasIsGone: Bool) {
        self.configHash = configHash
        self.removesInstancesWhenAliasIsGone = removesInstancesWhenAliasIsGone
    }

    /// The steps for `key`.
    ///
    /// - Parameters:
    ///   - desiredVersion: the READY version the alias points to; `nil` when the alias is gone (or not
    ///     READY, then `waiting` says so).
    ///   - instances: the runtime's instances labelled with this key.
    public func steps(
        for key: ServingKey,
        desiredVersion: String?,
        waiting: (version: String, status: ModelVersionStatus)?,
        instances: [ServingInstance],
        context: KeyContext = KeyContext()
    ) -> [Step] {
        guard let version = desiredVersion else {
            if let waiting {
                let failed = waiting.status == .failedRegistration
                return [
                    .wait(
                        state: failed ? .degraded : .progressing,
                        reason: failed ? "VersionRegistrationFailed" : "VersionNotReady",
                        message: "\(key) points at version \(waiting.version), which is \(waiting.status)"
                            + (instances.isEmpty ? "" : "; the current instance keeps serving"))
                ]
            }
            if removesInstancesWhenAliasIsGone {
                return instances.map { .remove($0, reason: "\(key) no longer exists in the registry") }
            }
            return [
                .wait(
                    state: .degraded, reason: "AliasRemoved",
                    message: "\(key) no longer exists; its instance keeps serving because removal is off")
            ]
        }

        let matching = instances.filter { $0.version == version && $0.configHash == configHash }
            .sorted(by: Self.preferred)
        let others = instances.filter { !($0.version == version && $0.configHash == configHash) }
        var steps: [Step] = []
        // Duplicates of the desired instance (two agents, or a crash between create and rename).
        for duplicate in matching.dropFirst() {
            steps.append(.remove(duplicate, reason: "duplicate instance of \(key) v\(version)"))
        }
        if let current = matching.first {
            switch current.state {
            case .running, .restarting:
                let stable = ServingNames.stable(for: key)
                steps.append(.keep(current, retiring: others, rename: current.name != stable))
            case .created:
                steps.append(.rollout(version: version, existing: current, retiring: others, reason: "instance created but never started"))
            case .exited(let code):
                steps.append(.restart(current, reason: "instance exited" + (code.map { " with code \($0)" } ?? "")))
            }
            return steps
        }
        if context.failedVersion == version, !context.blockedUntilPassed {
            let serving = others.first { $0.state.isRunning }
            let message =
                context.failedMessage
                ?? ("version \(version) failed to become ready"
                    + (serving.flatMap(\.version).map { "; version \($0) keeps serving" } ?? ""))
            steps.append(
                .wait(
                    state: .degraded, reason: context.failedReason ?? "RolloutFailed",
                    message: message + (context.waitsForAliasMove ? "" : "; it is tried again after its back-off")))
            return steps
        }
        let reason: String
        if let old = others.first(where: { $0.version != version })?.version {
            reason = "alias moved from version \(old) to \(version)"
        } else if !others.isEmpty {
            reason = "the agent's configuration changed"
        } else {
            reason = "nothing serves \(key) yet"
        }
        steps.append(.rollout(version: version, existing: nil, retiring: others, reason: reason))
        return steps
    }

    /// Running before not running, the stable name before a candidate name.
    static func preferred(_ a: ServingInstance, _ b: ServingInstance) -> Bool {
        if a.state.isRunning != b.state.isRunning { return a.state.isRunning }
        let aStable = a.key.map { ServingNames.stable(for: $0) == a.name } ?? false
        let bStable = b.key.map { ServingNames.stable(for: $0) == b.name } ?? false
        if aStable != bStable { return aStable }
        return a.id < b.id
    }
}
