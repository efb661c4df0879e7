import MLOpsCore
import MLOpsServing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Prometheus HTTP service discovery (`http_sd_configs`) for serving instances: one target group per
/// Ready instance, so Prometheus and the blackbox exporter find model servers without `docker.sock`.
public enum ServiceDiscovery {
    /// One target group.
    public struct TargetGroup: Sendable, Equatable, Codable {
        /// `host:port` of the model server.
        public var targets: [String]
        /// `model`, `alias`, `version`, and the same as `mlflow_model`, `mlflow_alias`, `mlflow_version`
        /// for relabelling rules written for the serving containers' Docker labels.
        public var labels: [String: String]

        public init(targets: [String], labels: [String: String]) {
            self.targets = targets
            self.labels = labels
        }
    }

    /// The target groups of the Ready statuses that have an endpoint, sorted by model and alias.
    public static func targetGroups(for statuses: [ServingStatus]) -> [TargetGroup] {
        statuses
            .filter { $0.state == .ready }
            .sorted { $0.key < $1.key }
            .compactMap { status in
                guard let endpoint = status.endpoint, let target = hostAndPort(endpoint),
                    let version = status.servingVersion
                else { return nil }
                return TargetGroup(
                    targets: [target],
                    labels: [
                        "model": status.model, "alias": status.alias, "version": version,
                        ServingLabels.model: status.model, ServingLabels.alias: status.alias,
                        ServingLabels.version: version,
                    ])
            }
    }

    /// `host:port` of a URL such as `http://127.0.0.1:5001` (the scheme's port when none is given), or of
    /// a bare `host:port`.
    public static func hostAndPort(_ endpoint: String) -> String? {
        guard endpoint.contains("://") else { return endpoint.isEmpty ? nil : endpoint }
        guard let url = URL(string: endpoint), let host = url.host(percentEncoded: false), !host.isEmpty else { return nil }
        let port = url.port ?? (url.scheme?.lowercased() == "https" ? 443 : 80)
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "\(hostPart):\(port)"
    }
}
