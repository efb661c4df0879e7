import Foundation
import MLOpsKit
import MLOpsKitTestSupport
import Synchronization
import Testing

/// A registered model on the test MLflow server with versions 1 and 2 (`Production` → 1), served by the
/// built `autoserve-agent` with the process runtime, whose model servers are the test stand-in
/// (`Tests/Fixtures/stand_in_model_server.py`: it starts at once and answers with its version).
struct ServeFixture {
    let client: MLflowClient
    let model: String
    let experimentID: String
    let stateDirectory: URL

    init() async throws {
        client = try TestServer.client()
        model = TestServer.uniqueName("serve-cli")
        stateDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("mlops-serve-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        experimentID = try await client.createExperiment(name: model, artifactLocation: nil, tags: [])
        _ = try await client.createRegisteredModel(name: model, description: nil, tags: [])
        for _ in 0..<2 {
            let run = try await client.createRun(experimentID: experimentID, runName: nil, startTime: nil, tags: [], userID: nil)
            // The stand-in never loads the model, so the run needs no files.
            _ = try await client.createModelVersion(
                name: model, source: "\(run.info.artifactURI ?? "")/model", runID: run.info.runID, description: nil, tags: [],
                modelID: nil)
        }
        try await setAlias(to: 1)
    }

    func setAlias(_ alias: String = "Production", to version: Int) async throws {
        try await client.setRegisteredModelAlias(name: model, alias: alias, version: "\(version)")
    }

    /// The variables that point both `mlops` and the agent at this model and its runtime.
    var environment: [String: String] {
        [
            "MLFLOW_SERVE_RUNTIME": "process", "MLFLOW_SERVE_STATE_DIR": stateDirectory.path,
            "MLFLOW_SERVE_MODEL_FILTER": "name = '\(model)'", "MLFLOW_SERVE_ALIASES": "Production",
            "MLFLOW_SERVE_PROCESS_COMMAND": "python3 \(Self.standIn) {port} {model} {version}",
            "MLFLOW_SERVE_LOG_FORMAT": "json", "MLOPS_HTTP_RETRIES": "0",
        ]
    }

    static var standIn: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/stand_in_model_server.py").path
    }

    /// `mlops arguments` against the test server with ``environment``.
    func mlops(_ arguments: [String], extraEnvironment: [String: String] = [:]) async throws -> CLIRunner.Result {
        try await CLIRunner.run(arguments, trackingURI: try TestServer.uri(), extraEnvironment: environment.merging(extraEnvironment) { $1 })
    }

    /// A JSON input file with `rows` rows.
    func inputFile(_ text: String = #"{"dataframe_split": {"columns": ["x"], "data": [[1.0], [2.0]]}}"#, name: String = "input.json") throws -> String {
        let url = stateDirectory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// Removes every instance of the model (the agent leaves them running on purpose), the model and the
    /// state directory.
    func cleanUp() async {
        await removeServingInstances(of: model, stateDirectory: stateDirectory)
        try? await client.deleteRegisteredModel(name: model)
        try? await client.deleteExperiment(id: experimentID)
        try? FileManager.default.removeItem(at: stateDirectory)
    }

    func use(_ body: (ServeFixture) async throws -> Void) async throws {
        do { try await body(self) } catch {
            await cleanUp()
            throw error
        }
        await cleanUp()
    }
}

/// The built `autoserve-agent` binary (beside `mlops`, or at `MLOPSKIT_AGENT_PATH`), run with the
/// fixture's environment.
final class ServeTestAgent: @unchecked Sendable {  // The Process is only touched through its own API.
    let process = Process()
    let stderrURL: URL
    private let exited = Mutex(false)
    private var waiter: Task<Void, any Error>?

    static func binary() throws -> URL {
        if let path = CLIRunner.environment["MLOPSKIT_AGENT_PATH"], !path.isEmpty { return URL(fileURLWithPath: path) }
        return try CLIRunner.binary().deletingLastPathComponent().appendingPathComponent("autoserve-agent")
    }

    init(arguments: [String], fixture: ServeFixture) throws {
        stderrURL = fixture.stateDirectory.appendingPathComponent("agent-\(UUID().uuidString.prefix(6)).log")
        process.executableURL = try Self.binary()
        process.arguments = arguments
        process.currentDirectoryURL = CLIRunner.workingDirectory
        var environment = CLIRunner.environment.filter { key, _ in
            !(key.hasPrefix("MLFLOW_") || key.hasPrefix("MLOPS_") || key.hasPrefix("AWS_") || key == "DOCKER_HOST")
        }
        environment["MLFLOW_TRACKING_URI"] = try TestServer.uri()
        // Agents run side by side in the tests: each gateway on a port of its own.
        environment["MLFLOW_SERVE_GATEWAY_LISTEN"] = "127.0.0.1:0"
        environment.merge(fixture.environment) { $1 }
        process.environment = environment
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        process.standardInput = FileHandle.nullDevice
        waiter = Task { [self] in
            defer { exited.withLock { $0 = true } }
            try await process.runUntilExit()
        }
    }

    var log: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// Waits for the agent to exit; its status.
    func wait() async throws -> Int32 {
        try await waiter?.value
        return process.terminationStatus
    }

    /// The `HOST:PORT` the agent announced in its `listening` log line.
    func listeningAddress(within timeout: Duration = .seconds(60)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            for line in log.split(separator: "\n") {
                if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    object["event"] as? String == "listening", let address = object["address"] as? String
                {
                    return address
                }
            }
            if exited.withLock({ $0 }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ServeTestError("the agent did not announce its address:\n\(log)")
    }

    /// Stops the agent: SIGKILL, since a child of the test process inherits its blocked signals (the
    /// agent's instances keep running either way, as they do after any agent exit).
    func stop() async {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        _ = try? await wait()
    }
}

struct ServeTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
