import Foundation
import Logging
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// The agent's own variables, and the reconciler configuration built from the stack's.
@Suite struct AutoserveAgentSettingsTests {
    func settings(_ environment: [String: String]) throws -> AutoserveAgentSettings {
        let resolved = ConfigurationLoader.resolve(environment: environment, dotEnv: nil)
        let configuration = try MLOpsConfiguration(resolved: resolved)
        return try AutoserveAgentSettings(resolved: resolved, exporterPort: configuration.exporterPort)
    }

    @Test func defaultsListenOnLoopbackAtTheExporterPort() throws {
        let defaults = try settings([:])
        #expect(defaults.listenHost == "127.0.0.1")
        #expect(defaults.listenPort == 9101)
        #expect(defaults.runtime == .auto)
        #expect(defaults.logFormat == nil)
        #expect(defaults.logLevel == .info)
        #expect(try settings(["MLFLOW_EXPORTER_PORT": "9200"]).listenPort == 9200)
    }

    @Test func gatewayListensOnLoopbackAfterTheExporterPort() throws {
        let defaults = try settings([:])
        #expect(defaults.gatewayListen == .init(host: "127.0.0.1", port: 9102))
        #expect(defaults.gatewayMaximumBodyBytes == 268_435_456)
        #expect(defaults.gatewayThreads == 0)
        #expect(AutoserveAgentSettings().gatewayListen == defaults.gatewayListen)
        #expect(try settings(["MLFLOW_EXPORTER_PORT": "9200"]).gatewayListen == .init(host: "127.0.0.1", port: 9201))
        // The agent's own address does not move the gateway.
        #expect(try settings(["MLFLOW_SERVE_LISTEN": "0.0.0.0:9300"]).gatewayListen?.port == 9102)
        #expect(defaults.description.contains("gateway: 127.0.0.1:9102"))
    }

    @Test func gatewayVariablesAreRead() throws {
        for off in ["off", "OFF", " Off "] {
            let read = try settings(["MLFLOW_SERVE_GATEWAY_LISTEN": off])
            #expect(read.gatewayListen == nil, "\(off)")
            #expect(read.description.contains("gateway: off"))
        }
        #expect(try settings(["MLFLOW_SERVE_GATEWAY_LISTEN": "[::1]:0"]).gatewayListen == .init(host: "::1", port: 0))
        #expect(try settings(["MLFLOW_SERVE_GATEWAY_LISTEN": "0.0.0.0:8080"]).gatewayListen == .init(host: "0.0.0.0", port: 8080))
        #expect(try settings(["MLFLOW_SERVE_GATEWAY_LISTEN": ":8080"]).gatewayListen == .init(host: "127.0.0.1", port: 8080))
        // Empty is unset: the default.
        #expect(try settings(["MLFLOW_SERVE_GATEWAY_LISTEN": " "]).gatewayListen?.port == 9102)
        let read = try settings(["MLFLOW_SERVE_GATEWAY_MAX_BODY_BYTES": " 1048576 ", "MLFLOW_SERVE_GATEWAY_THREADS": "4"])
        #expect(read.gatewayMaximumBodyBytes == 1 << 20)
        #expect(read.gatewayThreads == 4)
        #expect(AutoserveAgentSettings.ListenAddress(host: "::1", port: 9102).description == "[::1]:9102")
    }

    @Test func badGatewayValuesNameTheirVariable() throws {
        for (name, value) in [
            ("MLFLOW_SERVE_GATEWAY_LISTEN", "localhost"), ("MLFLOW_SERVE_GATEWAY_LISTEN", "127.0.0.1:65536"),
            ("MLFLOW_SERVE_GATEWAY_LISTEN", "no"), ("MLFLOW_SERVE_GATEWAY_LISTEN", "127.0.0.1:-1"),
            ("MLFLOW_SERVE_GATEWAY_MAX_BODY_BYTES", "0"), ("MLFLOW_SERVE_GATEWAY_MAX_BODY_BYTES", "-5"),
            ("MLFLOW_SERVE_GATEWAY_MAX_BODY_BYTES", "256MiB"), ("MLFLOW_SERVE_GATEWAY_THREADS", "-1"),
            ("MLFLOW_SERVE_GATEWAY_THREADS", "257"), ("MLFLOW_SERVE_GATEWAY_THREADS", "two"),
        ] {
            let error = #expect(throws: ConfigurationError.self) { try settings([name: value]) }
            #expect(error?.key == name, "\(name)=\(value)")
            #expect(error.map { "\($0)".contains(name) } == true, "\(name)=\(value)")
        }
        // No port after 65535 to default to.
        let error = #expect(throws: ConfigurationError.self) { try settings(["MLFLOW_EXPORTER_PORT": "65535"]) }
        #expect(error?.key == "MLFLOW_SERVE_GATEWAY_LISTEN")
        #expect(try settings(["MLFLOW_EXPORTER_PORT": "65535", "MLFLOW_SERVE_GATEWAY_LISTEN": "off"]).gatewayListen == nil)
    }

    @Test func logRotationSizeIsReadInMiB() throws {
        #expect(try settings([:]).processLogMaxBytes == 16 << 20)
        #expect(try settings(["MLFLOW_SERVE_PROCESS_LOG_MAX_MIB": "2"]).processLogMaxBytes == 2 << 20)
        #expect(try settings(["MLFLOW_SERVE_PROCESS_LOG_MAX_MIB": "0"]).processLogMaxBytes == nil)
        for bad in ["-1", "lots", "1.5"] {
            let error = #expect(throws: ConfigurationError.self) { try settings(["MLFLOW_SERVE_PROCESS_LOG_MAX_MIB": bad]) }
            #expect(error?.key == "MLFLOW_SERVE_PROCESS_LOG_MAX_MIB", "\(bad)")
        }
    }

    @Test func variablesAreRead() throws {
        let read = try settings([
            "MLFLOW_SERVE_LISTEN": "[::1]:9300", "MLFLOW_SERVE_RUNTIME": "Process", "MLFLOW_SERVE_STATE_DIR": "/tmp/s",
            "MLFLOW_SERVE_WEBHOOK_SECRET": " s3cret ", "MLFLOW_SERVE_LOG_FORMAT": "text", "MLFLOW_SERVE_LOG_LEVEL": "DEBUG",
            "MLFLOW_SERVE_MODEL_FILTER": "name LIKE 'iris%'",
        ])
        #expect(read.listenHost == "::1" && read.listenPort == 9300)
        #expect(read.runtime == .process)
        #expect(read.stateDirectory == "/tmp/s")
        #expect(read.webhookSecret == " s3cret ")
        #expect(read.logFormat == .text)
        #expect(read.logLevel == .debug)
        #expect(read.modelFilter == "name LIKE 'iris%'")
        #expect(!read.description.contains("s3cret"))
    }

    @Test func badValuesNameTheirVariable() {
        for (name, value) in [
            ("MLFLOW_SERVE_LISTEN", "localhost"), ("MLFLOW_SERVE_LISTEN", "127.0.0.1:65536"),
            ("MLFLOW_SERVE_RUNTIME", "kubernetes"), ("MLFLOW_SERVE_LOG_FORMAT", "xml"), ("MLFLOW_SERVE_LOG_LEVEL", "loud"),
        ] {
            #expect(throws: ConfigurationError.self) { try settings([name: value]) }
            do {
                _ = try settings([name: value])
            } catch {
                #expect("\(error)".contains(name))
            }
        }
    }

    @Test func listenAddresses() {
        #expect(AutoserveAgentSettings.parseListenAddress("0.0.0.0:9101")! == ("0.0.0.0", 9101))
        #expect(AutoserveAgentSettings.parseListenAddress(":9101")! == ("127.0.0.1", 9101))
        #expect(AutoserveAgentSettings.parseListenAddress("9101") == nil)
    }

    @Test func webhookSecretFileWinsAndLosesItsLineBreak() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("secret-\(UUID().uuidString)").path
        try "from-file\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var settings = AutoserveAgentSettings()
        settings.webhookSecret = "from-env"
        #expect(try settings.loadWebhookSecret()?.value == "from-env")
        settings.webhookSecretFile = path
        #expect(try settings.loadWebhookSecret()?.value == "from-file")
        settings.webhookSecretFile = path + ".missing"
        #expect(throws: AutoserveAgentError.webhookSecretFileUnreadable(path: path + ".missing")) {
            try settings.loadWebhookSecret()
        }
        #expect(try AutoserveAgentSettings().loadWebhookSecret() == nil)
    }

    @Test func reconcilerConfigurationFromTheStacksVariables() throws {
        let resolved = ConfigurationLoader.resolve(
            environment: [
                "MLFLOW_SERVE_ALIASES": "Production, Test", "MLFLOW_SERVE_POLL_SECONDS": "7",
                "MLFLOW_TRACKING_URI": "http://127.0.0.1:5555", "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE1234",
                "AWS_SECRET_ACCESS_KEY": "very-secret", "MLFLOW_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
            ], dotEnv: nil)
        let configuration = try MLOpsConfiguration(resolved: resolved)
        let autoserve = AutoserveConfiguration(
            agent: configuration, settings: try AutoserveAgentSettings(resolved: resolved), runtime: "process")
        #expect(autoserve.aliases == ["Production", "Test"])
        #expect(autoserve.resyncInterval == .seconds(7))
        #expect(autoserve.environment["MLFLOW_TRACKING_URI"] == "http://127.0.0.1:5555")
        #expect(autoserve.environment["MLFLOW_S3_ENDPOINT_URL"] == "http://127.0.0.1:9000")
        #expect(autoserve.environment["AWS_SECRET_ACCESS_KEY"] == "very-secret")
        #expect(autoserve.configHash.count == 12)

        // The hash follows the runtime and settings, not the secrets.
        var rotated = configuration
        rotated.awsSecretAccessKey = "rotated"
        let settings = AutoserveAgentSettings()
        #expect(
            AutoserveConfiguration(agent: rotated, settings: settings, runtime: "process").configHash
                == AutoserveConfiguration(agent: configuration, settings: settings, runtime: "process").configHash)
        #expect(
            AutoserveConfiguration(agent: configuration, settings: settings, runtime: "docker").configHash
                != AutoserveConfiguration(agent: configuration, settings: settings, runtime: "process").configHash)
    }

    @Test func autoPicksDockerOnlyWhenItAnswers() {
        let missing = "/tmp/no-such-docker-\(UUID().uuidString).sock"
        #expect(AutoserveRuntimeSelection.resolve(.auto, environment: [:], dockerSocket: missing) == .process)
        #expect(AutoserveRuntimeSelection.resolve(.auto, environment: ["DOCKER_HOST": "tcp://127.0.0.1:2375"], dockerSocket: missing) == .docker)
        #expect(AutoserveRuntimeSelection.resolve(.process, environment: ["DOCKER_HOST": "x"]) == .process)
        #expect(!AutoserveRuntimeSelection.unixSocketAnswers(missing))
    }
}
