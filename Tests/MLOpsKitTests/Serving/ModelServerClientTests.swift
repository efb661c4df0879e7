import Foundation
import MLOpsKitTestSupport
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// ``ModelServerClient`` against `Tests/Fixtures/stand_in_model_server.py`, which speaks the scoring
/// protocol of `mlflow models serve`.
@Suite struct ModelServerClientTests {
    /// A stand-in model server serving `version` on a free port; stopped when the test ends.
    final class StandInServer: @unchecked Sendable {  // Immutable after init apart from the Process.
        let endpoint: URL
        private let process: Process

        init(version: String) async throws {
            let port = try #require(LoopbackPort.allocate())
            let script = URL(fileURLWithPath: #filePath)
                .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Fixtures/stand_in_model_server.py")
            process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", script.path, "\(port)", "m", version]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            endpoint = URL(string: "http://127.0.0.1:\(port)")!
            let client = ModelServerClient(endpoint: endpoint)
            let deadline = ContinuousClock.now + .seconds(30)
            while (try? await client.ping(timeout: .seconds(1))) == nil {
                guard ContinuousClock.now < deadline, process.isRunning else { throw CancellationError() }
                try await Task.sleep(for: .milliseconds(50))
            }
        }

        /// Stops the server and waits (a while) until it has exited.
        func stop() async {
            // SIGKILL: a child of the test process inherits its blocked signals, SIGTERM among them.
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            let deadline = ContinuousClock.now + .seconds(10)
            while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        }

        deinit {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
    }

    @Test func invokesAndReportsRejections() async throws {
        let server = try await StandInServer(version: "7")
        let client = ModelServerClient(endpoint: server.endpoint, timeout: .seconds(10))
        let input = try ModelServerInput.json(Data(#"{"dataframe_split": {"columns": ["x"], "data": [[1], [2]]}}"#.utf8))
        let answer = try await client.invoke(input)
        let object = try #require(try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])
        #expect(object["predictions"] as? [Int] == [7, 7])
        #expect(answer.contentType == "application/json")

        // The stand-in refuses a body it cannot read with MLflow's error shape.
        do {
            _ = try await client.invoke(ModelServerInput(uncheckedFormat: .json, body: Data(#"{"rows": []}"#.utf8)))
            Issue.record("an unrecognised input was accepted")
        } catch {
            #expect(error == .rejected(url: server.endpoint.absoluteString, status: 400, errorCode: "BAD_REQUEST", message: "unrecognised input"))
            #expect(error.isInputRejected)
        }
        await server.stop()
    }

    @Test func aRefusedConnectionWasNotSent() async throws {
        let port = try #require(LoopbackPort.allocate())
        let client = ModelServerClient(endpoint: URL(string: "http://127.0.0.1:\(port)")!)
        let input = try ModelServerInput.json(Data(#"{"inputs": [1]}"#.utf8))
        do {
            _ = try await client.invoke(input)
            Issue.record("a closed port answered")
        } catch {
            guard case .unreachable(_, _, let notSent) = error else { Issue.record("\(error)"); return }
            #expect(notSent)
        }
    }
}
