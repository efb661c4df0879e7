import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

@Suite("Configuration: loader layering and provenance")
struct ConfigurationLoaderTests {
    private func dotEnv(_ text: String, path: String = "/stack/.env") throws -> DotEnvFile {
        try DotEnvFile(parsing: text, path: path, environment: [:])
    }

    @Test func defaultsOnly() throws {
        let configuration = try ConfigurationLoader.load(environment: [:], dotEnv: nil)
        #expect(configuration.trackingURI.absoluteString == "http://127.0.0.1:5000")
        #expect(configuration.s3EndpointURL?.absoluteString == "http://127.0.0.1:9000")
        #expect(configuration.experimentName == "iris-classification")
        #expect(configuration.modelName == "iris_classifier")
        #expect(configuration.modelAlias == "Production")
        #expect(configuration.serveAliases == ["Production"])
        #expect(configuration.serveMode == .dockerImage)
        #expect(configuration.servePollSeconds == 30)
        #expect(configuration.exporterPort == 9101)
        #expect(configuration.bootstrapResetMLflow == false)
        #expect(configuration.insecureTLS == false)
        #expect(configuration.trackingPassword == nil)
        #expect(configuration.httpTimeout == .seconds(60))
        #expect(configuration.httpRetries == 4)
        #expect(configuration.resolved[ConfigurationKey.trackingURI]?.source == .default)
        #expect(configuration.resolved[ConfigurationKey.trackingPassword] == nil)
    }

    @Test func builtInDefaultsAgreeWithTheKeyCatalog() throws {
        #expect(try ConfigurationLoader.load(environment: [:], dotEnv: nil) == MLOpsConfiguration())
    }

    @Test func catalogCoversTheOriginalStack() {
        let names = Set(ConfigurationKey.all.map(\.name))
        #expect(names.count == ConfigurationKey.all.count, "duplicate key names")
        let original = [
            "MLFLOW_TRACKING_URI", "MLFLOW_S3_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
            "S3_ARTIFACT_BUCKET", "ARTIFACT_ROOT", "MLFLOW_EXPERIMENT_NAME", "MLFLOW_MODEL_NAME",
            "MLFLOW_MODEL_ALIAS", "MODEL_ALIAS", "MLFLOW_SERVE_ALIASES", "MLFLOW_SERVE_IMAGE",
            "MLFLOW_SERVE_NETWORK", "MLFLOW_SERVE_PORT", "MLFLOW_SERVE_POLL_SECONDS", "MLFLOW_SERVE_MODE",
            "MLFLOW_SERVE_ENV_MANAGER", "MLFLOW_EXPORTER_PORT", "MLFLOW_EXPORTER_POLL_SECONDS",
            "MLFLOW_EXPORTER_ALIASES", "BOOTSTRAP_RESET_MLFLOW", "MLFLOW_PORT", "AIRFLOW_WEB_PORT",
            "MINIO_CONSOLE_PORT", "GRAFANA_PORT", "PROMETHEUS_PORT", "LOKI_PORT", "AIRFLOW_ADMIN_USER",
            "AIRFLOW_ADMIN_PASSWORD", "MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD",
        ]
        #expect(Set(original).subtracting(names).isEmpty)
        for key in ConfigurationKey.all {
            #expect(!key.help.isEmpty && !key.help.contains("\n"), "\(key.name) needs a one-line help")
        }
    }

    @Test func layersRiseFromDefaultsToFlags() throws {
        let file = try dotEnv(
            """
            MLFLOW_MODEL_NAME=from_file
            MLFLOW_EXPERIMENT_NAME=from_file
            MLFLOW_SERVE_IMAGE=from_file
            """)
        let environment = [
            "MLFLOW_EXPERIMENT_NAME": "from_env",
            "MLFLOW_SERVE_IMAGE": "from_env",
            "UNRELATED": "ignored",
        ]
        let flags = ["MLFLOW_SERVE_IMAGE": "from_flag"]
        let configuration = try ConfigurationLoader.load(
            environment: environment, dotEnv: file, flags: flags,
            flagNames: ["MLFLOW_SERVE_IMAGE": "--serve-image"])

        #expect(configuration.serveNetwork == "mlops_default")
        #expect(configuration.modelName == "from_file")
        #expect(configuration.experimentName == "from_env")
        #expect(configuration.serveImage == "from_flag")

        let resolved = configuration.resolved
        #expect(resolved["MLFLOW_SERVE_NETWORK"]?.source == .default)
        #expect(resolved["MLFLOW_MODEL_NAME"]?.source == .dotEnv(path: "/stack/.env"))
        #expect(resolved["MLFLOW_EXPERIMENT_NAME"]?.source == .environment)
        #expect(resolved["MLFLOW_SERVE_IMAGE"]?.source == .flag(name: "--serve-image"))
        #expect(resolved["UNRELATED"] == nil)
    }

    @Test func sourcesDescribeThemselves() {
        #expect(ConfigurationSource.default.description == "default")
        #expect(ConfigurationSource.dotEnv(path: "/stack/.env").description == "/stack/.env")
        #expect(ConfigurationSource.environment.description == "environment")
        #expect(ConfigurationSource.flag(name: "--tracking-uri").description == "--tracking-uri")
    }

    @Test func flagWithoutSpellingIsReportedByKey() {
        let resolved = ConfigurationLoader.resolve(
            environment: [:], dotEnv: nil, flags: ["MLFLOW_MODEL_NAME": "m"])
        #expect(resolved["MLFLOW_MODEL_NAME"]?.source == .flag(name: "MLFLOW_MODEL_NAME"))
    }

    @Test func emptyValuesDoNotHideLowerLayers() throws {
        let file = try dotEnv("AWS_SESSION_TOKEN=\nMLFLOW_MODEL_NAME=from_file\n")
        let configuration = try ConfigurationLoader.load(
            environment: ["MLFLOW_MODEL_NAME": "", "MLFLOW_TRACKING_URI": ""], dotEnv: file,
            flags: ["MLFLOW_EXPERIMENT_NAME": ""])
        #expect(configuration.awsSessionToken == nil)
        #expect(configuration.modelName == "from_file")
        #expect(configuration.trackingURI.absoluteString == "http://127.0.0.1:5000")
        #expect(configuration.experimentName == "iris-classification")
    }

    @Test func aliasKeysPreferTheHigherLayer() throws {
        let shortFromEnvironment = try ConfigurationLoader.load(environment: ["MODEL_ALIAS": "Staging"], dotEnv: nil)
        #expect(shortFromEnvironment.modelAlias == "Staging")

        let both = try ConfigurationLoader.load(
            environment: ["MODEL_ALIAS": "Staging", "MLFLOW_MODEL_ALIAS": "Champion"], dotEnv: nil)
        #expect(both.modelAlias == "Champion")

        let longHigher = try ConfigurationLoader.load(
            environment: ["MODEL_ALIAS": "Staging"], dotEnv: nil, flags: ["MLFLOW_MODEL_ALIAS": "Flagged"])
        #expect(longHigher.modelAlias == "Flagged")

        let region = try ConfigurationLoader.load(environment: ["AWS_DEFAULT_REGION": "eu-west-1"], dotEnv: nil)
        #expect(region.awsRegion == "eu-west-1")
        let regions = try ConfigurationLoader.load(
            environment: ["AWS_DEFAULT_REGION": "eu-west-1", "AWS_REGION": "eu-central-1"], dotEnv: nil)
        #expect(regions.awsRegion == "eu-central-1")
    }

    @Test func typedValuesFromStrings() throws {
        let configuration = try ConfigurationLoader.load(
            environment: [
                "MLFLOW_SERVE_ALIASES": " Production, Test ,,",
                "MLFLOW_EXPORTER_ALIASES": "dev,test,Production",
                "MLFLOW_SERVE_MODE": "generic",
                "MLFLOW_SERVE_PORT": "8081",
                "MLOPS_HTTP_TIMEOUT_SECONDS": "2.5",
                "MLOPS_HTTP_RETRIES": "0",
                "BOOTSTRAP_RESET_MLFLOW": "YES",
                "MLFLOW_TRACKING_INSECURE_TLS": "1",
                "MLFLOW_TRACKING_URI": "https://mlflow.example.com/prefix",
                "ARTIFACT_ROOT": "s3://bucket/path/",
            ], dotEnv: nil)
        #expect(configuration.serveAliases == ["Production", "Test"])
        #expect(configuration.exporterAliases == ["dev", "test", "Production"])
        #expect(configuration.serveMode == .genericImage)
        #expect(configuration.servePort == 8081)
        #expect(configuration.httpTimeout == .milliseconds(2500))
        #expect(configuration.httpRetries == 0)
        #expect(configuration.bootstrapResetMLflow)
        #expect(configuration.insecureTLS)
        #expect(configuration.trackingURI.absoluteString == "https://mlflow.example.com/prefix")
        #expect(configuration.artifactRoot.absoluteString == "s3://bucket/path/")
    }

    @Test(arguments: [("docker-image", true), ("DOCKER-IMAGE", true), ("generic", false), ("anything", false)])
    func serveModeFollowsTheOriginal(value: String, isDockerImage: Bool) {
        #expect((MLOpsConfiguration.ServeMode(configurationValue: value) == .dockerImage) == isDockerImage)
    }

    @Test func dotEnvFileOnDisk() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("loader-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent(".env").path
        try """
            MINIO_ROOT_USER=minio
            AWS_ACCESS_KEY_ID=${MINIO_ROOT_USER}
            MLFLOW_TRACKING_URI=http://localhost:15000
            """.write(toFile: path, atomically: true, encoding: .utf8)

        let configuration = try ConfigurationLoader.load(
            environment: ["MINIO_ROOT_USER": "admin"], dotEnvPath: path,
            flags: ["MLFLOW_TRACKING_URI": "http://flag:5000"],
            flagNames: ["MLFLOW_TRACKING_URI": "--tracking-uri"])
        #expect(configuration.awsAccessKeyID == "admin")
        #expect(configuration.minioRootUser == "admin")
        #expect(configuration.trackingURI.absoluteString == "http://flag:5000")
        #expect(configuration.resolved["AWS_ACCESS_KEY_ID"]?.source == .dotEnv(path: path))
        #expect(configuration.resolved["MINIO_ROOT_USER"]?.source == .environment)
        #expect(configuration.resolved["MLFLOW_TRACKING_URI"]?.source == .flag(name: "--tracking-uri"))
    }

    @Test func explicitDotEnvPathMustExist() throws {
        let path = "/nonexistent-\(UUID())/.env"
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(environment: [:], dotEnvPath: path)
        }
        #expect(error?.code == .dotEnvFileNotFound)
        #expect(error?.displayValue == path)
    }

    @Test func malformedDotEnvFileFailsTheLoad() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("loader-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("bad.env").path
        try "A=1\nnot an assignment\n".write(toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: DotEnvError.self) {
            try ConfigurationLoader.load(environment: [:], dotEnvPath: path)
        }
        #expect(error?.line == 2)
        #expect(error?.path == path)
    }

    @Test func resolveKeepsOnlyTheRequestedKeys() {
        let custom = ConfigurationKey("MY_TOOL_SETTING", default: "on", help: "an embedder's own key")
        let resolved = ConfigurationLoader.resolve(
            keys: [custom, .trackingURI], environment: ["MY_TOOL_SETTING": "off"], dotEnv: nil)
        #expect(resolved.values.count == 2)
        #expect(resolved[custom]?.value == "off")
        #expect(resolved.report().map(\.key) == ["MY_TOOL_SETTING", "MLFLOW_TRACKING_URI"])
    }
}
