import MLOpsCore
import MLOpsMLflow
import MLOpsServing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension AutoserveStatusDocument {
    /// The status an agent would report, worked out without one: from one registry snapshot and the
    /// runtime's instances, as `mlops serve status` does when no agent answers.
    ///
    /// Per (model, alias): `Ready` when a running instance serves the version the alias points at;
    /// `Progressing` (`VersionNotReady`) while that version is still registering; `Degraded` otherwise,
    /// with the reason `NotServed` (no running instance), `OutdatedVersion` (a running instance serves
    /// another version), `VersionRegistrationFailed`, or `AliasRemoved` (an instance whose alias no longer
    /// points anywhere). Nothing is probed: `Ready` means the process runs, not that it answered.
    ///
    /// - Parameters:
    ///   - aliases: The aliases served (`MLFLOW_SERVE_ALIASES`).
    ///   - instances: Every serving instance (``ServingLabels/selector``).
    ///   - runtime: The runtime's name.
    public static func computed(
        snapshot: RegistrySnapshot, aliases: [String], instances: [ServingInstance], runtime: String, now: Date
    ) -> AutoserveStatusDocument {
        let desired = snapshot.desiredServing(aliases: aliases)
        var grouped: [ServingKey: [ServingInstance]] = [:]
        for instance in instances {
            guard let key = instance.key else { continue }
            grouped[key, default: []].append(instance)
        }
        let keys = Set(desired.versions.keys).union(desired.waiting.keys).union(grouped.keys).sorted()
        let statuses = keys.map { key in
            computedStatus(
                key: key, desiredVersion: desired.versions[key], waiting: desired.waiting[key],
                instances: grouped[key] ?? [], now: now)
        }
        return AutoserveStatusDocument(runtime: runtime, aliases: aliases, lastSync: now, lastSyncError: nil, keys: statuses)
    }

    private static func computedStatus(
        key: ServingKey, desiredVersion: String?, waiting: (version: String, status: ModelVersionStatus)?,
        instances: [ServingInstance], now: Date
    ) -> ServingStatus {
        let running = instances.filter(\.state.isRunning)
        let stable = ServingNames.stable(for: key)
        func best(_ candidates: [ServingInstance]) -> ServingInstance? {
            candidates.first { $0.name == stable }
                ?? candidates.max { ($0.startedAt ?? .distantPast) < ($1.startedAt ?? .distantPast) }
        }
        let wanted = desiredVersion ?? waiting?.version
        let serving = best(running.filter { $0.version == desiredVersion && desiredVersion != nil }) ?? best(running)
        var status = ServingStatus(
            model: key.model, alias: key.alias, desiredVersion: wanted, servingVersion: serving?.version,
            endpoint: serving?.endpoint?.absoluteString, instanceID: serving?.id, instanceName: serving?.name,
            state: .degraded, since: serving?.startedAt ?? now)
        func set(_ state: ServingState, _ reason: String?, _ message: String) {
            status.state = state
            status.reason = reason
            status.message = message
        }
        let exited = instances.filter { !$0.state.isRunning }.map { "\($0.name) \($0.state)" }
        if let desiredVersion {
            if let serving, serving.version == desiredVersion {
                set(.ready, nil, "version \(desiredVersion) runs at \(status.endpoint ?? "?")")
            } else if let serving {
                set(.degraded, "OutdatedVersion", "serves version \(serving.version ?? "?"); the alias points at version \(desiredVersion)")
            } else {
                set(
                    .degraded, "NotServed",
                    "no running instance serves version \(desiredVersion)" + (exited.isEmpty ? "" : " (\(exited.joined(separator: ", ")))"))
            }
        } else if let waiting {
            let failed = waiting.status == .failedRegistration
            set(
                failed ? .degraded : .progressing, failed ? "VersionRegistrationFailed" : "VersionNotReady",
                "the alias points at version \(waiting.version), which is \(waiting.status)")
        } else {
            set(.degraded, "AliasRemoved", "\(key) no longer points at a version (or its alias is not served); an instance is left")
        }
        status.conditions = [
            ServingCondition(type: .ready, status: status.state == .ready, lastTransitionTime: status.since),
            ServingCondition(type: .progressing, status: status.state == .progressing, lastTransitionTime: status.since),
            ServingCondition(type: .degraded, status: status.state == .degraded, reason: status.reason, lastTransitionTime: status.since),
        ]
        return status
    }
}
