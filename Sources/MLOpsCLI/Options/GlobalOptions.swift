import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import MLOpsKit

/// Options every `mlops` command takes, through `@OptionGroup var options: GlobalOptions`.
///
/// The flags that change configuration keys form the top configuration layer, above the environment and
/// the `.env` file (see ``loadConfiguration()``).
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .customLong("tracking-uri"),
        help: ArgumentHelp("MLflow tracking server URL (overrides MLFLOW_TRACKING_URI).", valueName: "url"))
    var trackingURI: String?

    @Option(
        name: .customLong("env-file"),
        help: ArgumentHelp("The .env file to read (default: ./.env if it exists).", valueName: "path"))
    var envFile: String?

    @Flag(name: .long, help: "Print machine-readable JSON.")
    var json = false

    @Flag(name: .long, help: "Log details to standard error (secrets are never printed).")
    var debug = false

    @Flag(
        name: .long,
        help: "Do not verify TLS certificates (overrides MLFLOW_TRACKING_INSECURE_TLS). Unsafe.")
    var insecure = false

    @Option(
        name: .customLong("ca-bundle"),
        help: ArgumentHelp(
            "PEM bundle of certificate authorities to trust (overrides MLFLOW_TRACKING_SERVER_CERT_PATH).",
            valueName: "path"))
    var caBundle: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Seconds one HTTP request may take (overrides MLOPS_HTTP_TIMEOUT_SECONDS).", valueName: "seconds"))
    var timeout: Double?

    func validate() throws {
        if let timeout, !(timeout > 0 && timeout.isFinite) {
            throw ValidationError("--timeout must be a number of seconds greater than 0.")
        }
    }

    /// The configuration flags as the loader's top layer: values by variable name.
    var configurationFlags: [String: String] {
        var flags: [String: String] = [:]
        if let trackingURI { flags[ConfigurationKey.trackingURI.name] = trackingURI }
        if insecure { flags[ConfigurationKey.trackingInsecureTLS.name] = "true" }
        if let caBundle { flags[ConfigurationKey.trackingServerCertPath.name] = caBundle }
        if let timeout {
            let isWhole = timeout == timeout.rounded() && abs(timeout) < 1e15
            flags[ConfigurationKey.httpTimeoutSeconds.name] = isWhole ? String(Int64(timeout)) : String(timeout)
        }
        return flags
    }

    /// How each flag in ``configurationFlags`` is spelled, for reporting where a value came from.
    static let configurationFlagNames: [String: String] = [
        ConfigurationKey.trackingURI.name: "--tracking-uri",
        ConfigurationKey.trackingInsecureTLS.name: "--insecure",
        ConfigurationKey.trackingServerCertPath.name: "--ca-bundle",
        ConfigurationKey.httpTimeoutSeconds.name: "--timeout",
    ]

    /// The raw configuration: defaults, then the `.env` file, then the environment, then these flags.
    ///
    /// - Parameters:
    ///   - additionalFlags: Configuration flags of the command itself (such as `mlops s3`'s
    ///     `--endpoint-url`), by variable name, in the same top layer.
    ///   - additionalFlagNames: How each of `additionalFlags` is spelled.
    /// - Throws: `ConfigurationError` or `DotEnvError`.
    func resolveConfiguration(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        additionalFlags: [String: String] = [:], additionalFlagNames: [String: String] = [:]
    ) throws -> ResolvedConfiguration {
        try ConfigurationLoader.resolve(
            environment: environment, dotEnvPath: envFile,
            flags: configurationFlags.merging(additionalFlags) { $1 },
            flagNames: Self.configurationFlagNames.merging(additionalFlagNames) { $1 })
    }

    /// The typed configuration: defaults, then the `.env` file, then the environment, then these flags
    /// (and `additionalFlags`, see ``resolveConfiguration(environment:additionalFlags:additionalFlagNames:)``).
    ///
    /// - Throws: `ConfigurationError` or `DotEnvError`.
    func loadConfiguration(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        additionalFlags: [String: String] = [:], additionalFlagNames: [String: String] = [:]
    ) throws -> MLOpsConfiguration {
        let resolved = try resolveConfiguration(
            environment: environment, additionalFlags: additionalFlags, additionalFlagNames: additionalFlagNames)
        let configuration = try MLOpsConfiguration(resolved: resolved)
        let logger = makeLogger()
        if logger.logLevel <= .debug {
            for entry in configuration.report() {
                logger.debug("configuration \(entry.key)=\(entry.displayValue ?? "(unset)") from \(entry.source)")
            }
        }
        return configuration
    }

    /// A logger writing to standard error: debug level with `--debug`, warnings and errors otherwise.
    ///
    /// Pass it to library calls; never log a secret through it (use `Redaction` and report entries).
    func makeLogger(label: String = "mlops") -> Logger {
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = debug ? .debug : .warning
        return logger
    }

    /// The configuration and an MLflow client for its tracking server. With `--debug` the client logs
    /// every request (operation, status, duration; never credentials) to standard error.
    ///
    /// - Throws: `ConfigurationError` or `DotEnvError`.
    func makeMLflowClient(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> (configuration: MLOpsConfiguration, client: MLflowClient) {
        let configuration = try loadConfiguration(environment: environment)
        return (configuration, configuration.makeMLflowClient(logger: makeLogger(label: "mlops.mlflow")))
    }
}
