import Foundation
import Testing

/// The built `mlops` binary, in cases that need no MLflow server.
@Suite("mlops binary without a server")
struct BinaryTests {
    /// Nothing listens on the discard port.
    static let deadServer = "http://127.0.0.1:9"

    @Test func printsItsVersion() async throws {
        let result = try await CLIRunner.run(["--version"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func generatesCompletionScripts(shell: String) async throws {
        let result = try await CLIRunner.run(["--generate-completion-script", shell])
        #expect(result.status == 0, "\(result)")
        for word in ["alias", "promote", "experiments", "runs", "models", "model-name"] {
            #expect(result.stdout.contains(word), "\(shell) completions lack \(word)")
        }
    }

    @Test func unreachableServerExitsWithStatusFourWithoutThePassword() async throws {
        let result = try await CLIRunner.run([
            "alias", "get", "--model-name", "iris", "--alias", "Production",
            "--tracking-uri", "http://alice:s3cret-pw@127.0.0.1:9", "--timeout", "2",
        ])
        #expect(result.status == 4, "\(result)")
        #expect(result.duration < .seconds(15), "\(result)")
        #expect(result.stderr.contains("127.0.0.1:9"), "\(result)")
        #expect(result.stderr.contains("attempts"), "\(result)")
        #expect(!result.stderr.contains("s3cret-pw") && !result.stdout.contains("s3cret-pw"), "\(result)")
        #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result)")
    }

    @Test func unreachableServerWithDebugStillHidesThePassword() async throws {
        let result = try await CLIRunner.run([
            "models", "list", "--tracking-uri", "http://alice:s3cret-pw@127.0.0.1:9", "--timeout", "2", "--debug",
        ])
        #expect(result.status == 4, "\(result)")
        #expect(result.stderr.contains("MLFLOW_TRACKING_URI"), "debug output shows the configuration: \(result)")
        #expect(!result.stderr.contains("s3cret-pw"), "\(result)")
    }

    @Test func malformedTrackingURIIsAConfigurationError() async throws {
        let result = try await CLIRunner.run(["models", "list", "--tracking-uri", "ht!tp://x"])
        #expect(result.status == 7, "\(result)")
        #expect(result.stderr.contains("MLFLOW_TRACKING_URI"), "\(result)")
        #expect(result.stderr.contains("ht!tp://x"), "\(result)")
        #expect(result.stderr.contains("--tracking-uri"), "names where the value came from: \(result)")
    }

    @Test func overlongParamIsRejectedBeforeSending() async throws {
        // The server is unreachable: reaching it would exit with status 4, not 6.
        let value = String(repeating: "x", count: 6001)
        let result = try await CLIRunner.run([
            "runs", "log", "0123456789abcdef", "--param", "big=\(value)", "--tracking-uri", Self.deadServer,
        ])
        #expect(result.status == 6, "\(result)")
        #expect(result.stderr.contains("'big'") && result.stderr.contains("6000"), "\(result)")
    }

    @Test(arguments: [
        (["--metric", "accuracy"], "--metric 'accuracy'"),
        (["--metric", "accuracy=high"], "'high' is not a number"),
        (["--metric", "accuracy=0.9@soon"], "step 'soon'"),
        (["--param", "lr"], "--param 'lr'"),
        (["--tag", "=x"], "--tag '=x'"),
        ([], "nothing to log"),
    ])
    func malformedLogArgumentsExitWithStatusSix(arguments: [String], named: String) async throws {
        let result = try await CLIRunner.run(
            ["runs", "log", "0123456789abcdef"] + arguments + ["--tracking-uri", Self.deadServer])
        #expect(result.status == 6, "\(result)")
        #expect(result.stderr.contains(named), "\(result)")
    }

    @Test func badCandidatesExitWithStatusSix() async throws {
        let result = try await CLIRunner.run([
            "alias", "promote", "--model-name", "iris", "--metric", "accuracy", "--candidates", "best",
            "--tracking-uri", Self.deadServer,
        ])
        #expect(result.status == 6, "\(result)")
        #expect(result.stderr.contains("--candidates 'best'"), "\(result)")
    }

    @Test func usageErrorsExitWithStatusTwo() async throws {
        let result = try await CLIRunner.run(["alias", "set", "--model-name", "iris"])
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("--version"), "\(result)")
    }

    @Test func configShowJSONParses() async throws {
        let result = try await CLIRunner.run([
            "config", "show", "--json", "--tracking-uri", "http://alice:s3cret-pw@mlflow:5000",
        ])
        #expect(result.status == 0, "\(result)")
        let object = try result.jsonObject()
        #expect(object["MLFLOW_TRACKING_URI"] != nil)
        #expect(!result.stdout.contains("s3cret-pw"))
    }

    @Test func healthExitsWithStatusFourNamingTheRequiredServiceDown() async throws {
        let result = try await CLIRunner.run(
            ["health", "--services", "mlflow,airflow", "--require", "all", "--json"], trackingURI: "http://127.0.0.1:1",
            extraEnvironment: ["AIRFLOW_BASE_URL": "http://127.0.0.1:1"])
        #expect(result.status == 4, "\(result)")
        #expect(result.stderr.contains("MLflow (connection refused)"))
        let object = try result.jsonObject()
        #expect(object["required_up"] as? Bool == false)
        #expect((object["services"] as? [[String: Any]])?.count == 2)
        let everything = try await CLIRunner.run(
            ["health", "--services", "all", "--require", "mlflow", "--json", "--probe-timeout", "1"], trackingURI: "http://127.0.0.1:1")
        #expect(everything.status == 4, "\(everything)")
        let checked = (try everything.jsonObject()["services"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(checked == ["MLflow", "Airflow", "MinIO", "Prometheus", "Loki", "Grafana"])
        let unknown = try await CLIRunner.run(["health", "--services", "mlflow,kafka"])
        #expect(unknown.status == 2 && unknown.stderr.contains("kafka"), "\(unknown)")
    }
}
