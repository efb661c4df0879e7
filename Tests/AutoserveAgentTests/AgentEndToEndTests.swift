import Foundation
import MLOpsKitTestSupport
import MLOpsKit
import Testing

/// The agent binary against a real MLflow server and the process runtime, whose model servers are the
/// test stand-in (`Tests/Fixtures/stand_in_model_server.py`, which starts at once and answers with its
/// version) so a rollout takes a second.
@Suite(.enabled(if: AgentTestServer.enabled, "MLOPSKIT_TEST_MLFLOW_URI is not set"))
struct AgentEndToEndTests {
    /// A registered model with one version behind `Production`, a state directory, and the agent
    /// arguments that serve only that model.
    struct Fixture {
        let client: MLflowClient
        let model: String
        let stateDirectory: URL
        let experimentID: String

        init() async throws {
            client = try AgentTestServer.client()
            model = AgentTestServer.uniqueName("agent-e2e")
            stateDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("agent-e2e-\(UUID().uuidString.prefix(8))")
            experimentID = try await client.createExperiment(name: model, artifactLocation: nil, tags: [])
            let run = try await client.createRun(experimentID: experimentID, runName: nil, startTime: nil, tags: [], userID: nil)
            _ = try await client.createRegisteredModel(name: model, description: nil, tags: [])
            // The stand-in never loads the model, so the run needs no files.
            _ = try await client.createModelVersion(
                name: model, source: "\(run.info.artifactURI ?? "")/model", runID: run.info.runID, description: nil, tags: [],
                modelID: nil)
            try await client.setRegisteredModelAlias(name: model, alias: "Production", version: "1")
        }

        var arguments: [String] {
            let standIn = AgentRunner.repositoryRoot.appendingPathComponent("Tests/Fixtures/stand_in_model_server.py").path
            return [
                "--tracking-uri", (try? AgentTestServer.uri()) ?? "", "--runtime", "process",
                "--state-dir", stateDirectory.path, "--model-filter", "name = '\(model)'",
                "--process-command", "python3 \(standIn) {port} {model} {version}", "--log-format", "json",
            ]
        }

        /// Removes every instance of the model (the agent leaves them running on purpose), the model and
        /// the state directory.
        func cleanUp() async {
            await removeServingInstances(of: model, stateDirectory: stateDirectory)
            try? await client.deleteRegisteredModel(name: model)
            try? await client.deleteExperiment(id: experimentID)
            try? FileManager.default.removeItem(at: stateDirectory)
        }

        func use(_ body: (Fixture) async throws -> Void) async throws {
            do { try await body(self) } catch {
                await cleanUp()
                throw error
            }
            await cleanUp()
        }
    }

    @Test func dryRunNamesThePlannedCreateAndChangesNothing() async throws {
        try await Fixture().use { fixture in
            let result = try await AgentRunner.run(["--dry-run"] + fixture.arguments)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("create \(fixture.model)@Production v1"), "\(result.stdout)")
            let runtime = try ProcessServingRuntime(configuration: ProcessServingConfiguration(stateDirectory: fixture.stateDirectory.path))
            #expect(try await runtime.instances(matching: ServingLabels.selector).isEmpty)
            await runtime.close()
        }
    }

    @Test func onceServesTheAliasAndExitsZero() async throws {
        try await Fixture().use { fixture in
            let result = try await AgentRunner.run(["--once"] + fixture.arguments)
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
            let document = try AutoserveStatusDocument.makeDecoder().decode(
                AutoserveStatusDocument.self, from: Data(result.stdout.utf8))
            #expect(document.runtime == "process")
            let status = try #require(document.keys.first { $0.model == fixture.model })
            #expect(status.state == .ready)
            #expect(status.servingVersion == "1")
            // The agent exited; the model server it started keeps serving.
            let endpoint = try #require(status.endpoint)
            #expect(try await httpGet(endpoint + "/ping").status == 200)
            // One decision line in the log for the create.
            let decisions = result.stderr.split(separator: "\n").filter { $0.contains(#""event":"decision""#) && $0.contains(#""action":"create""#) }
            #expect(decisions.count == 1, "\(result.stderr)")
        }
    }

    @Test("with 1,000 idle and half-sent connections open to the agent, /healthz and /readyz answer 200 in under 100 ms")
    func healthChecksGetThroughAThousandIdleConnections() async throws {
        #expect(raiseOpenFileLimit() >= 1200, "the test needs 1,200 open files")
        try await Fixture().use { fixture in
            let agent = try AgentRunner.Running(
                arguments: fixture.arguments + ["--listen", "127.0.0.1:0", "--poll-seconds", "1"], extraEnvironment: [:])
            defer { agent.cleanUp() }
            agent.start()
            let address = try await agent.listeningAddress(within: .seconds(30))
            let base = "http://" + address
            let port = try #require(Int(address.split(separator: ":").last ?? ""))
            let readyBy = ContinuousClock.now + .seconds(60)
            while try await httpGet(base + "/readyz").status != 200, ContinuousClock.now < readyBy {
                try await Task.sleep(for: .milliseconds(200))
            }
            var idle: [RawHTTPConnection] = []
            for index in 0..<1000 {
                let connection = try RawHTTPConnection(port: port)
                if index.isMultiple(of: 2) { connection.write("GET /healthz HTTP/1.1\r\nHost: x\r\n") }
                idle.append(connection)
            }
            try await Task.sleep(for: .milliseconds(500))
            var durations: [Duration] = []
            for path in ["/healthz", "/readyz", "/healthz", "/readyz", "/healthz", "/readyz", "/healthz", "/readyz", "/healthz"] {
                let started = ContinuousClock.now
                let response = try await httpGet(base + path)
                durations.append(ContinuousClock.now - started)
                #expect(response.status == 200, "\(path): \(response.body)")
            }
            let median = durations.sorted()[durations.count / 2]
            #expect(median < .milliseconds(100), "median \(median), all \(durations)")
            withExtendedLifetime(idle) {}
            agent.signal(SIGTERM)
            #expect(try await agent.wait() == 0, "\(agent.stderr)")
        }
    }

    @Test func routesTheAliasThroughTheGateway() async throws {
        try await Fixture().use { fixture in
            let agent = try AgentRunner.Running(
                arguments: fixture.arguments + ["--listen", "127.0.0.1:0", "--gateway-listen", "127.0.0.1:0", "--poll-seconds", "1"],
                extraEnvironment: [:])
            defer { agent.cleanUp() }
            agent.start()
            let gateway = "http://" + (try await agent.listeningAddress(within: .seconds(30), event: "gateway-listening"))
            let route = "\(gateway)/models/\(fixture.model)/Production"
            // 404 before the first resync, 503 while the instance starts, 200 once it is Ready and routed.
            let deadline = ContinuousClock.now + .seconds(60)
            while try await httpGet(route + "/ping").status != 200, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(try await httpGet(route + "/ping").status == 200, "\(agent.stderr)")
            let answer = try await httpPost(route + "/invocations", json: #"{"dataframe_split":{"columns":["x"],"data":[[1],[2]]}}"#)
            #expect(answer.status == 200, "\(answer.body)")
            let document = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
            #expect(document?["version"] as? String == "1", "\(answer.body)")
            #expect(try await httpGet("\(gateway)/models/\(fixture.model)/NoSuchAlias/ping").status == 404)

            agent.signal(SIGTERM)
            #expect(try await agent.wait() == 0, "\(agent.stderr)")
            #expect(agent.logLines.contains { $0["event"] as? String == "gateway-closed" })
        }
    }

    @Test func servesEndpointsAndLeavesInstancesRunningOnSIGTERM() async throws {
        try await Fixture().use { fixture in
            let agent = try AgentRunner.Running(
                arguments: fixture.arguments + ["--listen", "127.0.0.1:0", "--poll-seconds", "1", "--exporter-aliases", "Production"],
                extraEnvironment: [:])
            defer { agent.cleanUp() }
            agent.start()
            let base = "http://" + (try await agent.listeningAddress(within: .seconds(30)))

            #expect(try await httpGet(base + "/healthz").status == 200)
            #expect(try await httpGet(base + "/health").body == #"{"status":"ok"}"# + "\n")

            // Ready once the first resync read the registry; the instance Ready soon after.
            var sd: [[String: Any]] = []
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                if try await httpGet(base + "/readyz").status == 200 {
                    let body = try await httpGet(base + "/sd").body
                    sd = (try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]]) ?? []
                    if !sd.isEmpty { break }
                }
                try await Task.sleep(for: .milliseconds(200))
            }
            let group = try #require(sd.first, "no target in /sd:\n\(agent.stderr)")
            let labels = try #require(group["labels"] as? [String: String])
            #expect(labels["model"] == fixture.model && labels["alias"] == "Production" && labels["version"] == "1")
            #expect(labels["mlflow_model"] == fixture.model && labels["mlflow_version"] == "1")
            let target = try #require((group["targets"] as? [String])?.first)
            #expect(try await httpGet("http://\(target)/ping").status == 200)

            let metrics = try await httpGet(base + "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.contentType?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(metrics.body.contains(#"mlflow_model_alias_version{model_name="\#(fixture.model)",alias="Production",version="1"} 1.0"#))
            #expect(metrics.body.contains(#"autoserve_instances{state="Ready"} 1.0"#))
            #expect(metrics.body.contains(#"autoserve_rollouts_total{outcome="success"} 1"#))

            let status = try await httpGet(base + "/status")
            let document = try AutoserveStatusDocument.makeDecoder().decode(AutoserveStatusDocument.self, from: Data(status.body.utf8))
            #expect(document.keys.first?.state == .ready)
            let original = try #require(
                try JSONSerialization.jsonObject(with: Data(try await httpGet(base + "/status?model_name=\(fixture.model)").body.utf8)) as? [String: Any])
            #expect((original["aliases"] as? [String: [String: Any]])?["Production"]?["version"] as? String == "1")
            #expect(try await httpGet(base + "/nope").status == 404)

            agent.signal(SIGTERM)
            let exit = try await agent.wait()
            #expect(exit == 0, "\(agent.stderr)")
            #expect(agent.logLines.contains { $0["event"] as? String == "shutdown" })
            // Shut down, but the model server still answers.
            #expect(try await httpGet("http://\(target)/ping").status == 200)
        }
    }
}
