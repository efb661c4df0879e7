import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

@Suite("Configuration: masking and reports")
struct ConfigurationMaskingTests {
    private static let secrets: [String: String] = [
        "MLFLOW_TRACKING_PASSWORD": "tracking-pw-9f1",
        "MLFLOW_TRACKING_TOKEN": "tok-abc-123",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AWS_SESSION_TOKEN": "session-xyz-789",
        "MINIO_ROOT_PASSWORD": "minio-pw-555",
        "AIRFLOW_ADMIN_PASSWORD": "airflow-pw-777",
    ]

    private func loaded() throws -> MLOpsConfiguration {
        var environment = Self.secrets
        environment["AWS_ACCESS_KEY_ID"] = "AKIAIOSFODNN7EXAMPLE"
        environment["MINIO_ROOT_USER"] = "minio"
        environment["MLFLOW_TRACKING_USERNAME"] = "alice"
        environment["MLFLOW_TRACKING_URI"] = "https://bob:url-pw-321@mlflow.example.com/"
        return try ConfigurationLoader.load(environment: environment, dotEnv: nil)
    }

    @Test func reportMasksSecretsCompletely() throws {
        let report = try loaded().report()
        let byKey = Dictionary(uniqueKeysWithValues: report.map { ($0.key, $0) })
        for name in Self.secrets.keys {
            let entry = try #require(byKey[name])
            #expect(entry.isSecret)
            #expect(entry.displayValue == "***")
            #expect(entry.source == .environment)
        }
        #expect(byKey["MLFLOW_TRACKING_USERNAME"]?.displayValue == "alice")
        #expect(byKey["MLFLOW_TRACKING_USERNAME"]?.isSecret == false)
    }

    @Test func accessKeyIDsArePartiallyMasked() throws {
        let byKey = Dictionary(uniqueKeysWithValues: try loaded().report().map { ($0.key, $0) })
        #expect(byKey["AWS_ACCESS_KEY_ID"]?.displayValue == "***MPLE")
        #expect(byKey["AWS_ACCESS_KEY_ID"]?.isSecret == false)
        #expect(byKey["MINIO_ROOT_USER"]?.displayValue == "***")
    }

    @Test func urlsShowEverythingButThePassword() throws {
        let byKey = Dictionary(uniqueKeysWithValues: try loaded().report().map { ($0.key, $0) })
        #expect(byKey["MLFLOW_TRACKING_URI"]?.displayValue == "https://bob:***@mlflow.example.com/")
        #expect(byKey["MLFLOW_S3_ENDPOINT_URL"]?.displayValue == "http://127.0.0.1:9000")
    }

    @Test func unsetKeysAreReportedAsUnsetDefaults() throws {
        let entry = try #require(MLOpsConfiguration().report().first { $0.key == "MLFLOW_TRACKING_PASSWORD" })
        #expect(entry.displayValue == nil)
        #expect(entry.source == .default)
        #expect(entry.isSecret)
    }

    @Test func reportFollowsCatalogOrder() throws {
        #expect(try loaded().report().map(\.key) == ConfigurationKey.all.map(\.name))
    }

    @Test func printingNeverShowsASecret() throws {
        let configuration = try loaded()
        var dumped = ""
        dump(configuration, to: &dumped)
        let texts = [
            configuration.description, configuration.debugDescription, String(reflecting: configuration), dumped,
            "\(configuration.resolved)",
            configuration.resolved.values.values.map(\.description).joined(),
        ]
        for text in texts {
            for secret in Self.secrets.values + ["url-pw-321"] {
                #expect(!text.contains(secret), "a secret leaked into: \(text.prefix(80))")
            }
            #expect(!text.contains("AKIAIOSFODNN7EXAMPLE"))
        }
        #expect(configuration.description.contains("trackingUsername: alice"))
    }

    @Test func displayValueBySensitivity() {
        #expect(ConfigurationKey.trackingPassword.displayValue(for: "x") == "***")
        #expect(ConfigurationKey.awsAccessKeyID.displayValue(for: "SHORT") == "***")
        #expect(ConfigurationKey.awsAccessKeyID.displayValue(for: "ABCDEFGHIJKL") == "***IJKL")
        #expect(ConfigurationKey.modelName.displayValue(for: "iris") == "iris")
        #expect(ConfigurationKey.trackingURI.displayValue(for: "http://u:p@h:1/") == "http://u:***@h:1/")
        #expect(ConfigurationKey.trackingPassword.isSecret)
        #expect(!ConfigurationKey.awsAccessKeyID.isSecret)
    }
}
