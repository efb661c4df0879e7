import Foundation
import MLOpsKit
import MLOpsKitTestSupport
import Testing

/// A running agent whose MLflow is behind `Tests/Fixtures/fault_proxy.py`, serving an alias through the
/// process runtime and the stand-in model server. The proxy injects each fault in turn for a few resyncs
/// (one a second): the serving instance is never removed or replaced (same instance and process IDs,
/// the same endpoint answering), `/healthz` keeps answering, `/readyz` reports the unreadable registry,
/// and once the proxy passes requests through again the next resync reads the registry and `/readyz`
/// is 200 again.
@Suite(.enabled(if: AgentTestServer.enabled, "MLOPSKIT_TEST_MLFLOW_URI is not set"))
struct AgentFaultProxyTests {
    static let faultModes: [FaultProxy.Mode] = [.reset, .truncate, .stall, .error, .garbage]

    @Test func servingSurvivesEveryRegistryFaultAndRecovers() async throws {
        let upstream = try #require(URL(string: try AgentTestServer.uri()))
        try await AgentEndToEndTests.Fixture().use { fixture in
            // Stalls last 3 s, longer than the agent's 2 s request timeout.
            let proxy = try FaultProxy(upstream: upstream, stallSeconds: 3)
            defer { proxy.stop() }
            var arguments = fixture.arguments
            let uriIndex = try #require(arguments.firstIndex(of: "--tracking-uri"))
            arguments[uriIndex + 1] = proxy.url.absoluteString
            let agent = try AgentRunner.Running(
                arguments: arguments + ["--listen", "127.0.0.1:0", "--poll-seconds", "1"],
                extraEnvironment: ["MLOPS_HTTP_TIMEOUT_SECONDS": "2", "MLOPS_HTTP_RETRIES": "1"])
            defer { agent.cleanUp() }
            agent.start()
            let base = "http://" + (try await agent.listeningAddress(within: .seconds(30)))

            // Serving through the proxy first.
            let serving = try await waitUntilReady(base, model: fixture.model, within: .seconds(60), agent: agent)
            let endpoint = try #require(serving.endpoint)
            let instances = try await AgentRestartTests.instances(fixture)
            #expect(instances.count == 1, "\(instances)")

            for mode in Self.faultModes {
                try await proxy.setMode(mode)
                try await proxy.resetCounters()
                let faultStarted = ContinuousClock.now
                var sawNotReady = false
                // A few resyncs' worth of faulted registry requests, and at least 4 s.
                while true {
                    #expect(try await httpGet(base + "/healthz").status == 200, "\(mode): /healthz")
                    if try await httpGet(base + "/readyz").status == 503 { sawNotReady = true }
                    let key = try await status(base, model: fixture.model)
                    #expect(key?.instanceID == serving.instanceID, "\(mode): instance replaced: \(String(describing: key))")
                    #expect(key?.servingVersion == "1" && key?.endpoint == endpoint, "\(mode): \(String(describing: key))")
                    #expect(try await httpGet(endpoint + "/ping").status == 200, "\(mode): the model server stopped answering")
                    let stats = try await proxy.stats()
                    if stats.faults >= 3 && sawNotReady && ContinuousClock.now - faultStarted > .seconds(4) { break }
                    if ContinuousClock.now - faultStarted > .seconds(60) {
                        Issue.record("\(mode): after 60 s, \(stats), readyz 503 seen: \(sawNotReady)\n\(agent.stderr.suffix(3000))")
                        break
                    }
                    try await Task.sleep(for: .milliseconds(300))
                }
                #expect(try await AgentRestartTests.instances(fixture) == instances, "\(mode): instance or process changed")

                // Passing through again: the next resync reads the registry.
                try await proxy.setMode(.pass)
                let recovered = try await waitUntilReady(base, model: fixture.model, within: .seconds(30), agent: agent)
                #expect(recovered.instanceID == serving.instanceID, "\(mode): \(recovered)")
                #expect(try await proxy.stats().passed > 0, "\(mode): no registry request passed after the fault")
            }
            #expect(try await AgentRestartTests.instances(fixture) == instances)
            #expect(agent.process.isRunning, "the agent exited:\n\(agent.stderr.suffix(3000))")
            agent.signal(SIGTERM)
            #expect(try await agent.wait() == 0)
        }
    }

    private func status(_ base: String, model: String) async throws -> ServingStatus? {
        let response = try await httpGet(base + "/status")
        let document = try AutoserveStatusDocument.makeDecoder().decode(AutoserveStatusDocument.self, from: Data(response.body.utf8))
        return document.keys.first { $0.model == model }
    }

    /// Waits for `/readyz` 200 with the model's key Ready, and returns the key.
    private func waitUntilReady(
        _ base: String, model: String, within timeout: Duration, agent: AgentRunner.Running
    ) async throws -> ServingStatus {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await httpGet(base + "/readyz").status == 200, let key = try await status(base, model: model),
                key.state == .ready
            {
                return key
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw AgentTestError("not ready within \(timeout):\n\(agent.stderr.suffix(3000))")
    }
}
