import Foundation
import MLOpsKit
import MLOpsKitTestSupport
import Synchronization
import Testing

/// The agent's gateway under load while the alias moves, against a real MLflow server and the process
/// runtime with stand-in model servers (`stand_in_model_server.py`, which answers with its version).
@Suite(.enabled(if: AgentTestServer.enabled, "MLOPSKIT_TEST_MLFLOW_URI is not set"), .serialized)
struct AgentGatewayTests {
    typealias Fixture = AgentEndToEndTests.Fixture

    /// One answer as a client saw it.
    struct Answer: Sendable {
        let sentAt: ContinuousClock.Instant
        let receivedAt: ContinuousClock.Instant
        let status: Int
        let version: Int?
        /// The version the test last saw serving when the request was sent.
        let servingAtSend: Int
    }

    /// `connections` clients, each on its own keep-alive connection, posting to `url` so that together
    /// they send about `rate` requests a second, until `stop` is set.
    final class Load: Sendable {
        final class Shared: Sendable {
            let answers = Mutex<[Answer]>([])
            let stop = Atomic<Bool>(false)
            let serving = Atomic<Int>(1)
        }

        private let shared: Shared
        private let task: Task<Void, Never>
        /// Notes the version the test last saw serving.
        func nowServing(_ version: Int) { shared.serving.store(version, ordering: .sequentiallyConsistent) }

        init(url: URL, connections: Int = 8, rate: Int = 100) {
            let shared = Shared()
            self.shared = shared
            let period = Duration.milliseconds(1000 * connections / rate)
            task = Task {
                await withTaskGroup(of: Void.self) { group in
                    for _ in 0..<connections {
                        group.addTask {
                            let transport = CurlTransport()
                            var next = ContinuousClock.now
                            while !shared.stop.load(ordering: .relaxed) {
                                let servingAtSend = shared.serving.load(ordering: .sequentiallyConsistent)
                                let sentAt = ContinuousClock.now
                                let request = TransportRequest(
                                    method: .post, url: url, headers: ["Content-Type": "application/json"],
                                    body: .bytes(Data(#"{"inputs": [[1, 2]]}"#.utf8)), timeout: .seconds(30))
                                let answer: Answer
                                do {
                                    let response = try await transport.send(request)
                                    let document = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]
                                    answer = Answer(
                                        sentAt: sentAt, receivedAt: .now, status: response.status,
                                        version: (document?["version"] as? String).flatMap { Int($0) }, servingAtSend: servingAtSend)
                                } catch {
                                    answer = Answer(sentAt: sentAt, receivedAt: .now, status: 0, version: nil, servingAtSend: servingAtSend)
                                }
                                shared.answers.withLock { $0.append(answer) }
                                next += period
                                try? await Task.sleep(until: next)
                            }
                        }
                    }
                }
            }
        }

        func finish() async -> [Answer] {
            shared.stop.store(true, ordering: .relaxed)
            await task.value
            return shared.answers.withLock { $0 }
        }
    }

    /// The key's status as the agent reports it on /status.
    static func status(_ agentBase: String, model: String) async throws -> ServingStatus? {
        let response = try await httpGet(agentBase + "/status")
        let document = try AutoserveStatusDocument.makeDecoder().decode(AutoserveStatusDocument.self, from: Data(response.body.utf8))
        return document.keys.first { $0.model == model && $0.alias == "Production" }
    }

    static func waitFor(
        _ agentBase: String, model: String, within timeout: Duration, until done: (ServingStatus) -> Bool
    ) async throws -> ServingStatus? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let status = try await status(agentBase, model: model), done(status) { return status }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await status(agentBase, model: model)
    }

    /// Adds versions 2…`count` of the fixture's model.
    static func addVersions(_ fixture: Fixture, upTo count: Int) async throws {
        let run = try await fixture.client.createRun(
            experimentID: fixture.experimentID, runName: nil, startTime: nil, tags: [], userID: nil)
        for _ in 2...count {
            _ = try await fixture.client.createModelVersion(
                name: fixture.model, source: "\(run.info.artifactURI ?? "")/model", runID: run.info.runID, description: nil,
                tags: [], modelID: nil)
        }
    }

    static func startAgent(_ fixture: Fixture, environment: [String: String] = [:]) async throws -> (AgentRunner.Running, String, String) {
        let agent = try AgentRunner.Running(
            arguments: fixture.arguments + ["--listen", "127.0.0.1:0", "--gateway-listen", "127.0.0.1:0", "--poll-seconds", "1"],
            extraEnvironment: environment)
        agent.start()
        let gateway = "http://" + (try await agent.listeningAddress(within: .seconds(30), event: "gateway-listening"))
        let base = "http://" + (try await agent.listeningAddress(within: .seconds(30)))
        return (agent, base, gateway)
    }

    @Test("100 requests/s on keep-alive connections while the alias moves 20 times: no request fails, each answered by the version serving when it was sent or the next")
    func noFailedRequestWhileTheAliasMoves() async throws {
        try await Fixture().use { fixture in
            try await Self.addVersions(fixture, upTo: 21)
            let (agent, base, gateway) = try await Self.startAgent(fixture)
            defer { agent.cleanUp() }
            let first = try await Self.waitFor(base, model: fixture.model, within: .seconds(60)) { $0.state == .ready }
            #expect(first?.servingVersion == "1", "\(agent.stderr)")
            let load = Load(url: URL(string: "\(gateway)/models/\(fixture.model)/Production/invocations")!)
            try await Task.sleep(for: .seconds(1))
            for version in 2...21 {
                try await fixture.client.setRegisteredModelAlias(name: fixture.model, alias: "Production", version: "\(version)")
                let status = try await Self.waitFor(base, model: fixture.model, within: .seconds(60)) {
                    $0.state == .ready && $0.servingVersion == "\(version)"
                }
                #expect(status?.servingVersion == "\(version)", "\(agent.stderr.suffix(4000))")
                load.nowServing(version)
                // Let the verification pass and the old instance drain under load.
                try await Task.sleep(for: .milliseconds(500))
            }
            try await Task.sleep(for: .seconds(1))
            // /status gives the key's stable route and its traffic.
            let routed = try await Self.status(base, model: fixture.model)
            #expect(routed?.gatewayURL == "\(gateway)/models/\(fixture.model)/Production")
            #expect((routed?.requestsPerSecond ?? 0) > 20, "\(routed?.requestsPerSecond ?? -1) requests/s")
            #expect(routed?.errorRatio == 0)
            let answers = await load.finish()
            let failed = answers.filter { !(200..<300).contains($0.status) }
            #expect(answers.count > 1000, "\(answers.count) answers")
            #expect(failed.isEmpty, "\(failed.count) of \(answers.count) failed: \(failed.prefix(5).map { "\($0.status)" })")
            let misrouted = answers.filter { answer in
                guard let version = answer.version else { return true }
                return version != answer.servingAtSend && version != answer.servingAtSend + 1
            }
            #expect(misrouted.isEmpty, "\(misrouted.prefix(5).map { "sent at v\($0.servingAtSend), answered by v\($0.version ?? -1)" })")
            #expect(Set(answers.compactMap(\.version)) == Set(1...21))
            agent.signal(SIGTERM)
            #expect(try await agent.wait() == 0, "\(agent.stderr.suffix(4000))")
        }
    }

    @Test("a version whose invocations answer 500: traffic is back on the previous version within 1 s, the key is Degraded, the alias stays, no 5xx after")
    func aFailingVersionIsRolledBack() async throws {
        try await Fixture().use { fixture in
            try await Self.addVersions(fixture, upTo: 2)
            let behaviour = FileManager.default.temporaryDirectory.appendingPathComponent("stand-in-\(UUID().uuidString).json")
            try Data(#"{"2": "fail-after:0"}"#.utf8).write(to: behaviour)
            defer { try? FileManager.default.removeItem(at: behaviour) }
            let (agent, base, gateway) = try await Self.startAgent(fixture, environment: ["STAND_IN_BEHAVIOUR": behaviour.path])
            defer { agent.cleanUp() }
            _ = try await Self.waitFor(base, model: fixture.model, within: .seconds(60)) { $0.state == .ready }
            let load = Load(url: URL(string: "\(gateway)/models/\(fixture.model)/Production/invocations")!)
            try await Task.sleep(for: .seconds(1))
            try await fixture.client.setRegisteredModelAlias(name: fixture.model, alias: "Production", version: "2")
            let status = try await Self.waitFor(base, model: fixture.model, within: .seconds(60)) { $0.reason == "TrafficRolledBack" }
            try await Task.sleep(for: .seconds(2))
            let answers = await load.finish()

            #expect(status?.state == .degraded, "\(agent.stderr.suffix(4000))")
            #expect(status?.servingVersion == "1")
            #expect(status?.message?.contains("mlops alias rollback") == true, "\(status?.message ?? "")")
            let alias = try await fixture.client.getModelVersion(name: fixture.model, alias: "Production")
            #expect(alias.version == "2", "the alias is the user's")

            let errors = answers.filter { $0.status >= 500 }.sorted { $0.receivedAt < $1.receivedAt }
            // 20 answers decide and 10 % may fail: the third 5xx is the threshold.
            #expect((1...4).contains(errors.count), "\(errors.count) 5xx answers")
            #expect(answers.allSatisfy { $0.status != 0 && $0.status < 500 || $0.status >= 500 && $0.version == nil })
            if let threshold = errors.last?.receivedAt {
                let back = answers.filter { $0.sentAt > threshold && $0.status == 200 }.min { $0.receivedAt < $1.receivedAt }
                #expect(back?.version == 1)
                if let back { #expect(back.receivedAt - threshold < .seconds(1)) }
                #expect(answers.filter { $0.sentAt > threshold }.allSatisfy { $0.status == 200 && $0.version == 1 })
            }
            agent.signal(SIGTERM)
            #expect(try await agent.wait() == 0)
        }
    }
}
