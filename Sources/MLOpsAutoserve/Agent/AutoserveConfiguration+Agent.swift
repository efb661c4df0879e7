import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension AutoserveConfiguration {
    /// The reconciler's configuration for `autoserve-agent`: the aliases and poll interval of the
    /// original watcher (`MLFLOW_SERVE_ALIASES`, `MLFLOW_SERVE_POLL_SECONDS`), the model filter, and the
    /// environment every model server gets (tracking URI and credentials, S3 endpoint and keys, as the
    /// original watcher passed them).
    ///
    /// - Parameter runtime: The runtime's name, part of ``configHash``.
    public init(agent configuration: MLOpsConfiguration, settings: AutoserveAgentSettings, runtime: String) {
        var environment: [String: String] = [
            ConfigurationKey.trackingURI.name: configuration.trackingURI.absoluteString
        ]
        if let endpoint = configuration.s3EndpointURL {
            environment[ConfigurationKey.s3EndpointURL.name] = endpoint.absoluteString
        }
        let optional: [(ConfigurationKey, String?)] = [
            (.awsAccessKeyID, configuration.awsAccessKeyID), (.awsSecretAccessKey, configuration.awsSecretAccessKey),
            (.awsSessionToken, configuration.awsSessionToken),
            (.trackingUsername, configuration.trackingUsername), (.trackingPassword, configuration.trackingPassword),
            (.trackingToken, configuration.trackingToken),
        ]
        for (key, value) in optional {
            if let value, !value.isEmpty { environment[key.name] = value }
        }
        if configuration.s3EndpointURL != nil || configuration.awsAccessKeyID != nil {
            environment[ConfigurationKey.awsRegion.name] = configuration.awsRegion
        }
        self.init(
            aliases: configuration.serveAliases,
            modelFilter: settings.modelFilter,
            resyncInterval: .seconds(configuration.servePollSeconds),
            verification: settings.verification,
            environment: environment,
            configHash: Self.configHash(
                runtime: runtime,
                settings: [
                    "image": configuration.serveImage, "mode": configuration.serveMode.rawValue,
                    "network": configuration.serveNetwork, "port": "\(configuration.servePort)",
                    "env_manager": configuration.serveEnvManager,
                    "process_command": settings.processCommand?.joined(separator: " ") ?? "",
                ],
                environment: environment))
    }

    /// A short hash of what shapes serving instances: the runtime, its settings, and the environment's
    /// names and non-secret values. Secrets are left out, so a hash shows nothing of them (rotating a
    /// key therefore does not replace instances).
    public static func configHash(runtime: String, settings: [String: String], environment: [String: String]) -> String {
        var text = "runtime=\(runtime)\n"
        for key in settings.keys.sorted() { text += "\(key)=\(settings[key]!)\n" }
        for key in environment.keys.sorted() {
            let isSecret = ConfigurationKey.named(key).map { $0.isSecret || $0.sensitivity == .partiallyMasked } ?? true
            text += "env.\(key)=\(isSecret ? "" : environment[key]!)\n"
        }
        let digest = Digest.hash(.sha256, Array(text.utf8))
        return digest.prefix(6).map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }
}
