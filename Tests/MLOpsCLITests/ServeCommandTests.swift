import Foundation
import MLOpsKit
import Testing

@testable import MLOpsCLI

@Suite struct ServeCommandTests {
    @Test func modelAtAliasParsing() throws {
        #expect(try ServeCommand.key("iris@Production") == ServingKey(model: "iris", alias: "Production"))
        #expect(try ServeCommand.key("models:/iris@Production") == ServingKey(model: "iris", alias: "Production"))
        for bad in ["iris", "@Production", "iris@", "iris/3", "models:/iris/3", "s3://b/k"] {
            #expect(throws: CLIError.self, "\(bad)") { try ServeCommand.key(bad) }
        }
    }

    @Test func agentURLs() throws {
        #expect(try ServeContext.agentURL(argument: "127.0.0.1:9101").absoluteString == "http://127.0.0.1:9101")
        #expect(try ServeContext.agentURL(argument: "https://agent.example:443").absoluteString == "https://agent.example:443")
        #expect(throws: CLIError.self) { try ServeContext.agentURL(argument: "ftp://x") }
    }

    static func document() -> AutoserveStatusDocument {
        let since = Date(timeIntervalSince1970: 1_700_000_000)
        return AutoserveStatusDocument(
            runtime: "process", aliases: ["Production"], lastSync: since, lastSyncError: "registry unreachable",
            keys: [
                ServingStatus(
                    model: "iris", alias: "Production", desiredVersion: "4", servingVersion: "3", endpoint: "http://127.0.0.1:5001",
                    state: .progressing, reason: "RollingOut", message: "starting version 4", since: since)
            ])
    }

    @Test func statusTable() {
        var now = Date(timeIntervalSince1970: 1_700_000_000 + 300)
        let text = ServeCommand.Status.table(Self.document(), now: now)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0].split(separator: " ") == ["MODEL", "ALIAS", "DESIRED", "SERVING", "STATE", "ENDPOINT", "SINCE", "REASON"])
        #expect(lines[1].contains("iris") && lines[1].contains("4") && lines[1].contains("3") && lines[1].contains("Progressing"))
        #expect(lines[1].contains("2023-11-14T22:13:20Z (5m ago)"))
        #expect(lines[1].hasSuffix("RollingOut: starting version 4"))
        #expect(lines.last == "last sync failed: registry unreachable")
        now = Date(timeIntervalSince1970: 1_700_000_000 + 2 * 86_400)
        #expect(ServeCommand.Status.since(Date(timeIntervalSince1970: 1_700_000_000), now: now).hasSuffix("(2d ago)"))
        let empty = AutoserveStatusDocument(runtime: "docker", aliases: ["Production", "Test"], lastSync: nil, lastSyncError: nil, keys: [])
        #expect(ServeCommand.Status.table(empty) == "nothing is served (aliases: Production, Test)\n")

        // With the agent's gateway: each key's stable route and its traffic over the last minute.
        var gateway = Self.document()
        gateway.keys[0].gatewayURL = "http://127.0.0.1:9102/models/iris/Production"
        gateway.keys[0].requestsPerSecond = 12.345
        gateway.keys[0].errorRatio = 0.015
        let routed = ServeCommand.Status.table(gateway, now: now).split(separator: "\n").map(String.init)
        #expect(routed[0].split(separator: " ").contains("GATEWAY"))
        #expect(routed[1].contains("http://127.0.0.1:9102/models/iris/Production"))
        #expect(routed[1].contains(" 12.3 ") && routed[1].contains(" 1.5% "))
    }

    @Test func jsonOutputIsTheDocumentWithItsSource() throws {
        let text = try JSONOutput.render(ServeCommand.Status.Output(document: Self.document(), source: .agent))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["source"] as? String == "agent")
        #expect(object["runtime"] as? String == "process")
        #expect(object["last_sync"] as? String == "2023-11-14T22:13:20Z")
        let key = try #require((object["keys"] as? [[String: Any]])?.first)
        #expect(key["desired_version"] as? String == "4")
        #expect(key["state"] as? String == "Progressing")
    }

    @Test func inputFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlops-serve-input-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let json = directory.appendingPathComponent("in.json")
        try Data(#"{"instances": [[1]]}"#.utf8).write(to: json)
        #expect(try ServeCommand.Predict.readInput(json: json.path, csv: nil).format == .json)
        do {
            _ = try ServeCommand.Predict.readInput(json: nil, csv: directory.appendingPathComponent("none.csv").path)
            Issue.record("a missing file was read")
        } catch {
            #expect(error.exitCode == .validation)
            #expect(error.explanation.contains("--input-csv"))
        }
    }

    @Test func exitStatusesOfServingErrors() {
        let key = ServingKey(model: "iris", alias: "Production")
        #expect(ServingEndpointResolverError.notServed(key, detail: "").exitCode == .notFound)
        #expect(ServingEndpointResolverError.unavailable(key, agent: nil, runtime: "").exitCode == .unreachable)
        #expect(ModelServerError.unreachable(url: "u", reason: "r", requestWasNotSent: true).exitCode == .unreachable)
        #expect(ModelServerError.rejected(url: "u", status: 400, errorCode: "BAD_REQUEST", message: "m").exitCode == .validation)
        #expect(ModelServerError.rejected(url: "u", status: 500, errorCode: nil, message: "m").exitCode == .serverError)
        #expect(ServingRuntimeError.unavailable("docker").exitCode == .unreachable)
    }
}
