import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing

@Suite("Configuration: typed conversion errors")
struct ConfigurationConversionTests {
    private func loadError(
        environment: [String: String] = [:], dotEnv: String? = nil, flags: [String: String] = [:]
    ) throws -> ConfigurationError? {
        let file = try dotEnv.map { try DotEnvFile(parsing: $0, path: "/stack/.env", environment: [:]) }
        do {
            _ = try ConfigurationLoader.load(
                environment: environment, dotEnv: file, flags: flags,
                flagNames: ["MLFLOW_TRACKING_URI": "--tracking-uri"])
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        ("true", true), ("TRUE", true), ("1", true), ("yes", true), ("Yes", true),
        ("false", false), ("False", false), ("0", false), ("no", false), ("NO", false), (" true ", true),
    ])
    func booleans(text: String, expected: Bool) throws {
        let configuration = try ConfigurationLoader.load(environment: ["BOOTSTRAP_RESET_MLFLOW": text], dotEnv: nil)
        #expect(configuration.bootstrapResetMLflow == expected)
    }

    @Test(arguments: ["on", "off", "y", "2", "truthy"])
    func invalidBooleansNameKeyValueAndSource(text: String) throws {
        let error = try #require(try loadError(environment: ["MLFLOW_TRACKING_INSECURE_TLS": text]))
        #expect(error.code == .invalidBoolean)
        #expect(error.key == "MLFLOW_TRACKING_INSECURE_TLS")
        #expect(error.displayValue == text)
        #expect(error.source == .environment)
        #expect(error.description.contains("MLFLOW_TRACKING_INSECURE_TLS"))
        #expect(error.description.contains("'\(text)'"))
        #expect(error.description.contains("from environment"))
    }

    @Test func invalidIntegerFromDotEnv() throws {
        let error = try #require(try loadError(dotEnv: "MLFLOW_SERVE_POLL_SECONDS=thirty\n"))
        #expect(error.code == .invalidInteger)
        #expect(error.key == "MLFLOW_SERVE_POLL_SECONDS")
        #expect(error.source == .dotEnv(path: "/stack/.env"))
        #expect(error.description == """
            invalid integer for MLFLOW_SERVE_POLL_SECONDS: 'thirty' (from /stack/.env); expected a whole number
            """)
    }

    @Test(arguments: [
        ("MLFLOW_SERVE_PORT", "0"), ("MLFLOW_EXPORTER_PORT", "65536"), ("GRAFANA_PORT", "-1"),
        ("MLFLOW_SERVE_POLL_SECONDS", "0"), ("MLFLOW_EXPORTER_POLL_SECONDS", "-5"), ("MLOPS_HTTP_RETRIES", "-1"),
        ("MLOPS_HTTP_TIMEOUT_SECONDS", "0"), ("MLOPS_HTTP_TIMEOUT_SECONDS", "-2.5"),
    ])
    func outOfRange(key: String, value: String) throws {
        let error = try #require(try loadError(environment: [key: value]))
        #expect(error.code == .outOfRange)
        #expect(error.key == key)
    }

    @Test(arguments: ["soon", "inf", "nan"])
    func invalidTimeout(value: String) throws {
        let error = try #require(try loadError(environment: ["MLOPS_HTTP_TIMEOUT_SECONDS": value]))
        #expect(error.code == .invalidNumber)
    }

    @Test(arguments: ["mlflow:5000", "ftp://host/", "http://", "not a url", "/relative/path"])
    func invalidTrackingURIFromFlag(value: String) throws {
        let error = try #require(try loadError(flags: ["MLFLOW_TRACKING_URI": value]))
        #expect(error.code == .invalidURL)
        #expect(error.key == "MLFLOW_TRACKING_URI")
        #expect(error.source == .flag(name: "--tracking-uri"))
        #expect(error.description.contains("from --tracking-uri"))
    }

    @Test func invalidURLErrorsMaskThePassword() throws {
        let error = try #require(try loadError(environment: ["MLFLOW_S3_ENDPOINT_URL": "ftp://user:hunter2@host/"]))
        #expect(error.code == .invalidURL)
        #expect(!error.description.contains("hunter2"))
        #expect(error.description.contains("user:***@host"))
    }

    @Test func artifactRootNeedsAScheme() throws {
        let error = try #require(try loadError(environment: ["ARTIFACT_ROOT": "mlflow-bucket"]))
        #expect(error.code == .invalidURL)
        #expect(error.key == "ARTIFACT_ROOT")
    }
}
