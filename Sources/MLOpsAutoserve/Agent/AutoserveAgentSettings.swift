import MLOpsCore
import MLOpsMLflow
import MLOpsServing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// The `autoserve-agent` settings that are not part of ``MLOpsConfiguration``: where it listens, which
/// runtime it uses, its webhook secret and its logs. Read from the `MLFLOW_SERVE_*` variables MLOpsKit
/// adds to the original stack's (``ConfigurationKey/serveRuntime`` and the keys after it).
///
/// Printing settings never shows the webhook secret.
public struct AutoserveAgentSettings: Sendable, Equatable, CustomStringConvertible {
    /// Where model servers run (`MLFLOW_SERVE_RUNTIME`).
    public enum RuntimeChoice: String, Sendable, CaseIterable {
        case docker, process
        /// Docker when `DOCKER_HOST` is set or `/var/run/docker.sock` answers, else the process runtime.
        case auto
    }

    /// The log line format (`MLFLOW_SERVE_LOG_FORMAT`).
    public enum LogFormat: String, Sendable, CaseIterable {
        case json, text
    }

    /// The address the HTTP server binds: 127.0.0.1 by default, so that only this host reaches it.
    public var listenHost: String = "127.0.0.1"
    /// Its port: `MLFLOW_EXPORTER_PORT` (9101) by default, where Prometheus scraped the original exporter.
    public var listenPort: Int = 9101
    /// The serving gateway's address (`MLFLOW_SERVE_GATEWAY_LISTEN`): 127.0.0.1 on the port after
    /// `MLFLOW_EXPORTER_PORT` (9102) by default; `nil` when it is `off`.
    public var gatewayListen: ListenAddress? = ListenAddress(host: "127.0.0.1", port: 9102)
    /// The largest request body the gateway passes on (`MLFLOW_SERVE_GATEWAY_MAX_BODY_BYTES`, 256 MiB).
    public var gatewayMaximumBodyBytes: Int = 256 << 20
    /// The gateway's event loop threads (`MLFLOW_SERVE_GATEWAY_THREADS`); 0: one per core.
    public var gatewayThreads: Int = 0
    /// The gateway's canary splits (`MLFLOW_SERVE_CANARY`).
    public var canaries: [CanaryRule] = []
    /// The gateway's shadows (`MLFLOW_SERVE_SHADOW`).
    public var shadows: [ShadowRule] = []
    /// How a switch is checked on live traffic (`MLFLOW_SERVE_VERIFY_REQUESTS`, `_SECONDS`,
    /// `_MAX_5XX_RATIO`); only with the gateway, which counts the answers.
    public var verification = VerificationPolicy()
    public var runtime: RuntimeChoice = .auto
    /// The process runtime's state directory; `nil` for its default.
    public var stateDirectory: String?
    /// Where the Docker runtime's per-version images get their model files (`MLFLOW_SERVE_MODEL_CACHE_DIR`);
    /// `nil` for ``RegistryModelFiles/defaultDirectory``.
    public var modelCacheDirectory: String?
    /// The size past which the process runtime rotates a model server's log
    /// (`MLFLOW_SERVE_PROCESS_LOG_MAX_MIB`, in MiB); `nil` never rotates.
    public var processLogMaxBytes: Int64? = ProcessServingConfiguration.defaultLogMaxBytes
    /// The process runtime's model server command line (`MLFLOW_SERVE_PROCESS_COMMAND`, split at
    /// spaces); `nil` for `mlflow models serve`.
    public var processCommand: [String]?
    /// The webhook secret from `MLFLOW_SERVE_WEBHOOK_SECRET`. Secret.
    public var webhookSecret: String?
    /// The file holding the webhook secret (`MLFLOW_SERVE_WEBHOOK_SECRET_FILE`); it wins over
    /// ``webhookSecret``.
    public var webhookSecretFile: String?
    /// Limits the models served (`MLFLOW_SERVE_MODEL_FILTER`).
    public var modelFilter: String?
    /// `nil`: text when standard error is a terminal, JSON otherwise.
    public var logFormat: LogFormat?
    public var logLevel: Logger.Level = .info

    /// A host and port to listen on.
    public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        /// 0: the kernel picks a free port.
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// `HOST:PORT`, with an IPv6 host in brackets.
        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// The most event loop threads `MLFLOW_SERVE_GATEWAY_THREADS` accepts.
    public static let maximumGatewayThreads = 256

    /// The defaults.
    public init() {}

    /// Reads the settings from resolved configuration; the port defaults to `exporterPort`, the
    /// gateway's to the one after it.
    ///
    /// - Throws: ``ConfigurationError`` naming the first variable that does not convert.
    public init(resolved: ResolvedConfiguration, exporterPort: Int = 9101) throws(ConfigurationError) {
        let keys = ConfigurationKey.self
        listenPort = exporterPort
        if let value = resolved[keys.serveListen], !value.value.trimmingWhitespace().isEmpty {
            guard let (host, port) = Self.parseListenAddress(value.value) else {
                throw ConfigurationError(.invalidChoice, value, expected: "expected HOST:PORT such as 127.0.0.1:9101")
            }
            (listenHost, listenPort) = (host, port)
        }
        if let value = resolved[keys.serveGatewayListen], let text = value.value.nonEmpty {
            if text.lowercased() == "off" {
                gatewayListen = nil
            } else {
                guard let (host, port) = Self.parseListenAddress(text) else {
                    throw ConfigurationError(.invalidChoice, value, expected: "expected HOST:PORT such as 127.0.0.1:9102, or off")
                }
                gatewayListen = ListenAddress(host: host, port: port)
            }
        } else {
            guard exporterPort < 65535 else {
                throw ConfigurationError(
                    code: .outOfRange, key: keys.serveGatewayListen.name, displayValue: "127.0.0.1:65536", source: nil,
                    detail: "unset, it is 127.0.0.1:MLFLOW_EXPORTER_PORT+1, and MLFLOW_EXPORTER_PORT is 65535: set HOST:PORT or off")
            }
            gatewayListen = ListenAddress(host: "127.0.0.1", port: exporterPort + 1)
        }
        if let value = resolved[keys.serveGatewayMaxBodyBytes], let text = value.value.nonEmpty {
            guard let bytes = Int(text) else {
                throw ConfigurationError(.invalidInteger, value, expected: "expected a whole number of bytes such as 268435456")
            }
            guard bytes > 0 else {
                throw ConfigurationError(.outOfRange, value, expected: "expected at least 1 byte")
            }
            gatewayMaximumBodyBytes = bytes
        }
        if let value = resolved[keys.serveGatewayThreads], let text = value.value.nonEmpty {
            guard let threads = Int(text) else {
                throw ConfigurationError(.invalidInteger, value, expected: "expected a whole number of threads (0: one per core)")
            }
            guard (0...Self.maximumGatewayThreads).contains(threads) else {
                throw ConfigurationError(
                    .outOfRange, value, expected: "expected 0 (one per core) to \(Self.maximumGatewayThreads) threads")
            }
            gatewayThreads = threads
        }
        if let value = resolved[keys.serveCanary], let text = value.value.nonEmpty {
            do {
                canaries = try CanaryRule.parseList(text)
            } catch {
                throw ConfigurationError(
                    error.isRange ? .outOfRange : .invalidChoice, value,
                    expected: "\(error); expected ALIAS=ALIAS:PERCENT, comma-separated, such as Production=Challenger:10")
            }
        }
        if let value = resolved[keys.serveShadow], let text = value.value.nonEmpty {
            do {
                shadows = try ShadowRule.parseList(text)
            } catch {
                throw ConfigurationError(
                    .invalidChoice, value, expected: "\(error); expected ALIAS=ALIAS, comma-separated, such as Production=Test")
            }
        }
        if let value = resolved[keys.serveVerifyRequests], let text = value.value.nonEmpty {
            guard let requests = Int(text), requests >= 0 else {
                throw ConfigurationError(.invalidInteger, value, expected: "expected a whole number of requests (0: no verification)")
            }
            verification.requests = requests
        }
        if let value = resolved[keys.serveVerifySeconds], let text = value.value.nonEmpty {
            guard let seconds = Double(text), seconds.isFinite, seconds > 0, seconds <= 86_400 else {
                throw ConfigurationError(.outOfRange, value, expected: "expected seconds between 0 and 86400, such as 60")
            }
            verification.duration = .milliseconds(Int64(seconds * 1000))
        }
        if let value = resolved[keys.serveVerifyMax5xxRatio], let text = value.value.nonEmpty {
            guard let ratio = Double(text), ratio.isFinite, (0...1).contains(ratio) else {
                throw ConfigurationError(.outOfRange, value, expected: "expected a share between 0 and 1, such as 0.1")
            }
            verification.maximumErrorRatio = ratio
        }
        if let value = resolved[keys.serveRuntime] {
            guard let choice = RuntimeChoice(rawValue: value.value.trimmingWhitespace().lowercased()) else {
                throw ConfigurationError(.invalidChoice, value, expected: "expected docker, process or auto")
            }
            runtime = choice
        }
        stateDirectory = resolved[keys.serveStateDir]?.value.nonEmpty
        modelCacheDirectory = resolved[keys.serveModelCacheDir]?.value.nonEmpty
        if let value = resolved[keys.serveProcessLogMaxMiB], let text = value.value.nonEmpty {
            guard let mebibytes = Int64(text.trimmingWhitespace()) else {
                throw ConfigurationError(.invalidInteger, value, expected: "expected a whole number of MiB (0: never rotate)")
            }
            guard (0...(1 << 30)).contains(mebibytes) else {
                throw ConfigurationError(.outOfRange, value, expected: "expected 0 (never rotate) to 1073741824 MiB")
            }
            processLogMaxBytes = mebibytes == 0 ? nil : mebibytes << 20
        }
        processCommand = resolved[keys.serveProcessCommand]?.value.nonEmpty.map { $0.split(separator: " ").map(String.init) }
        // A secret is taken as written: spaces may be part of it.
        webhookSecret = resolved[keys.serveWebhookSecret].flatMap { $0.value.isEmpty ? nil : $0.value }
        webhookSecretFile = resolved[keys.serveWebhookSecretFile]?.value.nonEmpty
        modelFilter = resolved[keys.serveModelFilter]?.value.nonEmpty
        if let value = resolved[keys.serveLogFormat], let text = value.value.nonEmpty {
            guard let format = LogFormat(rawValue: text.lowercased()) else {
                throw ConfigurationError(.invalidChoice, value, expected: "expected json or text")
            }
            logFormat = format
        }
        if let value = resolved[keys.serveLogLevel] {
            guard let level = Logger.Level(rawValue: value.value.trimmingWhitespace().lowercased()) else {
                throw ConfigurationError(
                    .invalidChoice, value, expected: "expected trace, debug, info, notice, warning, error or critical")
            }
            logLevel = level
        }
    }

    /// `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (all interfaces is never implied: an empty host means
    /// 127.0.0.1). Port 0 lets the kernel choose; the agent logs the address it got.
    public static func parseListenAddress(_ text: String) -> (host: String, port: Int)? {
        let text = text.trimmingWhitespace()
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty { host = "127.0.0.1" }
        guard !host.contains(" ") else { return nil }
        return (host, port)
    }

    /// The webhook secret: the file's content (without its trailing line break) when a file is named,
    /// else ``webhookSecret``; `nil` when neither is set (the receiver is then off).
    ///
    /// - Throws: ``AutoserveAgentError/webhookSecretFileUnreadable(path:)`` when the file cannot be read.
    public func loadWebhookSecret() throws(AutoserveAgentError) -> WebhookSecret? {
        if let path = webhookSecretFile {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .webhookSecretFileUnreadable(path: path)
            }
            var text = String(decoding: data, as: UTF8.self)
            while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
            guard !text.isEmpty else { throw .webhookSecretFileUnreadable(path: path) }
            return WebhookSecret(text)
        }
        return webhookSecret.map(WebhookSecret.init)
    }

    private static func listed(_ rules: [some CustomStringConvertible]) -> String {
        rules.isEmpty ? "none" : rules.map(\.description).joined(separator: ",")
    }

    public var description: String {
        "AutoserveAgentSettings(listen: \(listenHost):\(listenPort), runtime: \(runtime.rawValue), "
            + "gateway: \(gatewayListen.map { String(describing: $0) } ?? "off"), gatewayMaximumBodyBytes: \(gatewayMaximumBodyBytes), "
            + "gatewayThreads: \(gatewayThreads), verification: \(verification.requests) requests, \(verification.duration), \(verification.maximumErrorRatio), "
            + "canaries: \(Self.listed(canaries)), shadows: \(Self.listed(shadows)), "
            + "stateDirectory: \(stateDirectory ?? "default"), modelCacheDirectory: \(modelCacheDirectory ?? "default"), "
            + "processLogMaxBytes: \(processLogMaxBytes.map { String($0) } ?? "unlimited"), "
            + "processCommand: \(processCommand?.joined(separator: " ") ?? "default"), webhookSecret: \(webhookSecret == nil ? "nil" : Redaction.mask), "
            + "webhookSecretFile: \(webhookSecretFile ?? "nil"), modelFilter: \(modelFilter ?? "nil"), "
            + "logFormat: \(logFormat?.rawValue ?? "auto"), logLevel: \(logLevel))"
    }
}

/// Why the agent could not start.
public enum AutoserveAgentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The webhook secret file is missing, unreadable or empty.
    case webhookSecretFileUnreadable(path: String)
    /// `--runtime docker` was asked for and Docker does not answer, or the runtime could not be opened.
    case runtimeUnavailable(String)

    public var description: String {
        switch self {
        case .webhookSecretFileUnreadable(let path): "the webhook secret file \(path) is missing, unreadable or empty"
        case .runtimeUnavailable(let reason): "no serving runtime: \(reason)"
        }
    }
}

extension String {
    /// The string trimmed, or `nil` when that leaves nothing.
    fileprivate var nonEmpty: String? {
        let trimmed = trimmingWhitespace()
        return trimmed.isEmpty ? nil : trimmed
    }
}
