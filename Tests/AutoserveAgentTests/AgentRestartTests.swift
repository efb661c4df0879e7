import Foundation
import MLOpsKit
import Testing

/// The agent binary killed with SIGKILL (no shutdown at all) and started again, ten times: each new
/// agent adopts the running model servers (same instance IDs, same process IDs) and logs no create,
/// replace or restart decision.
@Suite(.enabled(if: AgentTestServer.enabled, "MLOPSKIT_TEST_MLFLOW_URI is not set"), .timeLimit(.minutes(5)))
struct AgentRestartTests {
    @Test func killedTenTimesTheAgentAdoptsAndRestartsNothing() async throws {
        try await AgentEndToEndTests.Fixture().use { fixture in
            let arguments = fixture.arguments + ["--listen", "127.0.0.1:0", "--poll-seconds", "1"]
            var original: [String] = []
            for round in 0...10 {
                let agent = try AgentRunner.Running(arguments: arguments, extraEnvironment: [:])
                defer { agent.cleanUp() }
                agent.start()
                let base = "http://" + (try await agent.listeningAddress(within: .seconds(30)))
                let deadline = ContinuousClock.now + .seconds(60)
                var ready = false
                while ContinuousClock.now < deadline, !ready {
                    let body = try await httpGet(base + "/status").body
                    let document = try? AutoserveStatusDocument.makeDecoder().decode(AutoserveStatusDocument.self, from: Data(body.utf8))
                    ready = document?.keys.first?.state == .ready
                    if !ready { try await Task.sleep(for: .milliseconds(100)) }
                }
                #expect(ready, "round \(round): not Ready\n\(agent.stderr.suffix(2000))")
                let instances = try await Self.instances(fixture)
                if round == 0 {
                    original = instances
                    #expect(original.count == 1)
                } else {
                    #expect(instances == original, "round \(round): instances changed")
                    let decisions = agent.logLines.filter { $0["event"] as? String == "decision" }
                        .compactMap { $0["action"] as? String }
                    #expect(decisions.contains("adopt"), "round \(round): \(decisions)")
                    #expect(Set(decisions).isSubset(of: ["adopt", "keep"]), "round \(round): \(decisions)")
                }
                agent.signal(SIGKILL)
                _ = try await agent.wait()
            }
        }
    }

    /// "<instance id> <process id>" of every instance of the fixture's model, read from the state
    /// directory by a runtime of the test's own.
    static func instances(_ fixture: AgentEndToEndTests.Fixture) async throws -> [String] {
        // The agent holds the state directory's lock: read the state files instead of opening a runtime.
        let directory = fixture.stateDirectory.path
        var result: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.hasSuffix(".json") {
            let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))
            let record = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let pid = (record["processID"] as? NSNumber)?.intValue ?? 0
            #expect(pid > 0 && kill(pid_t(pid), 0) == 0, "process \(pid) runs")
            result.append("\(record["id"] as? String ?? "?") \(pid)")
        }
        return result.sorted()
    }
}
