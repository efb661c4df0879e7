import Foundation
import MLOpsKit
import Testing

/// `mlops serve` end to end: the built `mlops` and `autoserve-agent` binaries, a real MLflow server,
/// and model servers the process runtime starts (the stand-in `Tests/Fixtures/stand_in_model_server.py`).
@Suite(.enabled(if: TestServer.enabled, "MLOPSKIT_TEST_MLFLOW_URI is not set"))
struct ServeServerTests {
    /// A port nothing listens on: where no agent answers.
    static func closedAgent() throws -> String {
        "http://127.0.0.1:\(try #require(ServeTestPorts.unused()))"
    }

    static func predictions(_ result: CLIRunner.Result) throws -> [Int] {
        try #require(try result.jsonObject()["predictions"] as? [Int], "\(result)")
    }

    @Test func withoutAnAgentTheRuntimeServesStatusPredictionsAndLogs() async throws {
        try await ServeFixture().use { fixture in
            // The agent serves the alias once and exits; its instance keeps running.
            let agent = try ServeTestAgent(arguments: ["--once"], fixture: fixture)
            #expect(try await agent.wait() == 0, "\(agent.log)")
            let key = "\(fixture.model)@Production"
            let closed = try Self.closedAgent()

            let predicted = try await fixture.mlops(["serve", "predict", key, "--input-json", try fixture.inputFile(), "--agent", closed])
            #expect(predicted.status == 0, "\(predicted)")
            #expect(try Self.predictions(predicted) == [1, 1])

            let csv = try fixture.inputFile("x\n1.0\n2.0\n3.0\n", name: "input.csv")
            let fromCSV = try await fixture.mlops(["serve", "predict", key, "--input-csv", csv, "--no-agent"])
            // The stand-in reads JSON only: the CSV reaches it as text/csv and is refused with HTTP 400.
            #expect(fromCSV.status == 6, "\(fromCSV)")
            #expect(fromCSV.stderr.contains("HTTP 400 BAD_REQUEST"), "\(fromCSV)")

            let table = try await fixture.mlops(["serve", "status", "--agent", closed])
            #expect(table.status == 0, "\(table)")
            #expect(table.stdout.hasPrefix("(computed without the agent"), "\(table)")
            let row = try #require(table.stdout.split(separator: "\n").first { $0.hasPrefix(fixture.model) }, "\(table)")
            #expect(row.contains("Production") && row.contains("Ready") && row.contains("http://127.0.0.1:"), "\(row)")

            let json = try await fixture.mlops(["serve", "status", "--no-agent", "--json"])
            #expect(json.status == 0, "\(json)")
            let document = try json.jsonObject()
            #expect(document["source"] as? String == "computed")
            #expect(document["runtime"] as? String == "process")
            let keys = try #require(document["keys"] as? [[String: Any]])
            #expect(keys.count == 1)
            #expect(keys.first?["state"] as? String == "Ready")
            #expect(keys.first?["serving_version"] as? String == "1")

            let logs = try await fixture.mlops(["serve", "logs", key, "--tail", "5", "--no-agent"])
            #expect(logs.status == 0, "\(logs)")
            #expect(logs.stdout.contains("stand-in model server: model=\(fixture.model) version=1"), "\(logs)")

            // The alias moves and nothing follows it: the computed status says so and exits 1.
            try await fixture.setAlias(to: 2)
            let outdated = try await fixture.mlops(["serve", "status", "--no-agent"])
            #expect(outdated.status == 1, "\(outdated)")
            #expect(outdated.stdout.contains("OutdatedVersion"), "\(outdated)")

            let unknown = try await fixture.mlops(["serve", "predict", "\(fixture.model)@Staging", "--input-json", try fixture.inputFile(), "--no-agent"])
            #expect(unknown.status == 3, "\(unknown)")
            let unknownLogs = try await fixture.mlops(["serve", "logs", "\(fixture.model)@Staging", "--no-agent"])
            #expect(unknownLogs.status == 3, "\(unknownLogs)")

            let malformed = try await fixture.mlops(
                ["serve", "predict", key, "--input-json", try fixture.inputFile(#"{"rows": [1]}"#, name: "bad.json"), "--no-agent"])
            #expect(malformed.status == 6, "\(malformed)")
            #expect(malformed.stderr.contains("none of the keys"), "\(malformed)")
        }
    }

    @Test func withTheAgentPredictionsFollowTheAliasWithoutFailing() async throws {
        try await ServeFixture().use { fixture in
            let agent = try ServeTestAgent(arguments: ["--listen", "127.0.0.1:0", "--poll-seconds", "1"], fixture: fixture)
            let url = "http://" + (try await agent.listeningAddress())
            defer { Task { await agent.stop() } }
            // mlops must go through the agent: the runtime it would read otherwise is empty.
            let empty = fixture.stateDirectory.appendingPathComponent("elsewhere").path
            let viaAgent = ["MLFLOW_SERVE_STATE_DIR": empty, "MLFLOW_SERVE_LISTEN": String(url.dropFirst("http://".count))]
            let key = "\(fixture.model)@Production"

            // Until the agent answers and serves the key (it answers before its first resync ends).
            func servesTheKey(_ result: CLIRunner.Result) -> Bool {
                guard result.status == 0, let keys = (try? result.jsonObject())?["keys"] as? [[String: Any]] else { return false }
                return keys.contains { $0["state"] as? String == "Ready" }
            }
            var status = try await fixture.mlops(["serve", "status", "--json"], extraEnvironment: viaAgent)
            let deadline = ContinuousClock.now + .seconds(60)
            while !servesTheKey(status), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                status = try await fixture.mlops(["serve", "status", "--json"], extraEnvironment: viaAgent)
            }
            #expect(status.status == 0, "\(status)\n\(agent.log)")
            #expect(try status.jsonObject()["source"] as? String == "agent")

            let table = try await fixture.mlops(["serve", "status", "--agent", url])
            #expect(table.status == 0, "\(table)")
            #expect(!table.stdout.contains("computed"), "\(table)")
            #expect(table.stdout.contains("MODEL") && table.stdout.contains("Ready"), "\(table)")

            let input = try fixture.inputFile()
            let first = try await fixture.mlops(["serve", "predict", key, "--input-json", input], extraEnvironment: viaAgent)
            #expect(try Self.predictions(first) == [1, 1])

            // The alias moves: predictions keep answering through the switch, then come from version 2.
            try await fixture.setAlias(to: 2)
            var answered: [Int] = []
            let switchDeadline = ContinuousClock.now + .seconds(60)
            while answered.last != 2, ContinuousClock.now < switchDeadline {
                let result = try await fixture.mlops(["serve", "predict", key, "--input-json", input], extraEnvironment: viaAgent)
                #expect(result.status == 0, "\(result)")
                guard result.status == 0 else { break }
                answered.append(try Self.predictions(result)[0])
            }
            #expect(answered.last == 2, "versions answered: \(answered)\n\(agent.log)")
            #expect(Set(answered).isSubset(of: [1, 2]))

            let logs = try await fixture.mlops(["serve", "logs", key, "--tail", "3"], extraEnvironment: ["MLFLOW_SERVE_LISTEN": String(url.dropFirst(7))])
            #expect(logs.status == 0, "\(logs)")
            #expect(logs.stdout.contains("version=2"), "\(logs)")
            await agent.stop()
        }
    }
}

/// `mlops serve` with nothing to talk to.
@Suite struct ServeOfflineTests {
    @Test func agentAndMLflowDownIsUnreachable() async throws {
        let agent = "http://127.0.0.1:\(try #require(ServeTestPorts.unused()))"
        let mlflow = "http://127.0.0.1:\(try #require(ServeTestPorts.unused()))"
        let result = try await CLIRunner.run(
            ["serve", "status", "--agent", agent], trackingURI: mlflow, extraEnvironment: ["MLOPS_HTTP_RETRIES": "0"])
        #expect(result.status == 4, "\(result)")
        #expect(result.stderr.contains("cannot reach"), "\(result)")
    }

    @Test func nothingServedIsNotFoundAndBadInputIsRejected() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlops-serve-empty-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = ["MLFLOW_SERVE_RUNTIME": "process", "MLFLOW_SERVE_STATE_DIR": directory.path]
        let input = directory.appendingPathComponent("input.json")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(#"{"inputs": [[1, 2]]}"#.utf8).write(to: input)

        let missing = try await CLIRunner.run(
            ["serve", "predict", "iris@Production", "--input-json", input.path, "--no-agent"], extraEnvironment: environment)
        #expect(missing.status == 3, "\(missing)")
        #expect(missing.stderr.contains("nothing serves iris@Production"), "\(missing)")

        let noFile = try await CLIRunner.run(
            ["serve", "predict", "iris@Production", "--input-json", directory.appendingPathComponent("nope.json").path, "--no-agent"],
            extraEnvironment: environment)
        #expect(noFile.status == 6, "\(noFile)")

        let notKey = try await CLIRunner.run(["serve", "logs", "iris", "--no-agent"], extraEnvironment: environment)
        #expect(notKey.status == 6, "\(notKey)")

        let both = try await CLIRunner.run(["serve", "predict", "iris@Production", "--input-json", input.path, "--input-csv", input.path])
        #expect(both.status == 2, "\(both)")
    }
}

/// Free loopback ports.
enum ServeTestPorts {
    /// A port the kernel reports free on 127.0.0.1.
    static func unused() -> Int? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }
}
