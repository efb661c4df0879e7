import Foundation
import Testing

/// The agent binary without services: usage, configuration errors, an unreachable MLflow.
@Suite struct AgentBinaryTests {
    @Test func helpNamesEveryFlag() async throws {
        let result = try await AgentRunner.run(["--help"])
        #expect(result.status == 0)
        for flag in [
            "--aliases", "--image", "--network", "--port", "--poll-seconds", "--mode", "--env-manager", "--runtime",
            "--state-dir", "--listen", "--webhook-secret-file", "--once", "--dry-run", "--log-format", "--tracking-uri",
            "--gateway-listen", "--gateway-max-body-bytes", "--gateway-threads",
        ] {
            #expect(result.stdout.contains(flag), "--help lacks \(flag)")
        }
    }

    /// libcurl and libxml2 are loaded with dlopen rather than linked (the agent checks them at start-up
    /// with a clear error), and hashing is compiled in (swift-crypto): the executable names none of them,
    /// nor OpenSSL's libcrypto or libssl (nor any other library libcurl links).
    @Test func linksNoneOfTheLibrariesItLoadsOnFirstUse() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ldd", try AgentRunner.binary().path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output.contains("libc.so"), "\(output)")
        for library in ["libcurl", "libxml2", "libcrypto", "libssl", "libgnutls"] {
            #expect(!output.contains(library), "the agent links \(library):\n\(output)")
        }
    }

    @Test func badConfigurationExitsSeven() async throws {
        let result = try await AgentRunner.run(["--once", "--runtime", "kubernetes"])
        #expect(result.status == 7, "\(result.stderr)")
        #expect(result.stderr.contains("MLFLOW_SERVE_RUNTIME"))
    }

    @Test func badGatewayFlagsExitSevenNamingTheirVariable() async throws {
        for (flag, value, variable) in [
            ("--gateway-listen", "localhost", "MLFLOW_SERVE_GATEWAY_LISTEN"),
            ("--gateway-max-body-bytes", "0", "MLFLOW_SERVE_GATEWAY_MAX_BODY_BYTES"),
            ("--gateway-threads", "many", "MLFLOW_SERVE_GATEWAY_THREADS"),
        ] {
            let result = try await AgentRunner.run(["--once", flag, value])
            #expect(result.status == 7, "\(flag) \(value): \(result.stderr)")
            #expect(result.stderr.contains(variable), "\(flag) \(value): \(result.stderr)")
        }
    }

    @Test func unreachableMLflowExitsFour() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("agent-state-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: state) }
        for mode in ["--once", "--dry-run"] {
            let result = try await AgentRunner.run(
                [mode, "--runtime", "process", "--state-dir", state.path, "--tracking-uri", "http://127.0.0.1:1"],
                environment: ["MLOPS_HTTP_RETRIES": "0"])
            #expect(result.status == 4, "\(mode): \(result.stderr)")
        }
    }

    @Test func anUnansweringDockerEngineIsNamed() async throws {
        let result = try await AgentRunner.run(
            ["--once", "--runtime", "docker", "--tracking-uri", "http://127.0.0.1:1"],
            environment: ["DOCKER_HOST": "unix:///tmp/no-docker-\(UUID().uuidString.prefix(8)).sock"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("does not answer"))
    }

    @Test func secretsStayOutOfTheLogs() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("agent-state-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: state) }
        let result = try await AgentRunner.run(
            ["--dry-run", "--runtime", "process", "--state-dir", state.path, "--log-level", "trace"],
            environment: [
                "MLOPS_HTTP_RETRIES": "0", "MLFLOW_TRACKING_URI": "http://user:tracking-pass-123@127.0.0.1:1",
                "MLFLOW_SERVE_WEBHOOK_SECRET": "webhook-secret-456", "AWS_SECRET_ACCESS_KEY": "aws-secret-789",
            ])
        #expect(result.status == 4)
        for secret in ["tracking-pass-123", "webhook-secret-456", "aws-secret-789"] {
            #expect(!result.stderr.contains(secret) && !result.stdout.contains(secret), "\(secret) leaked")
        }
        #expect(result.stderr.contains(#""webhooks":"on""#))
    }
}
