import Foundation
import MLOpsKit
import MLOpsKitTestSupport
import Testing

/// A real Prometheus (Debian's) with the shipped deploy/prometheus/prometheus.yml, scraping the real
/// agent under the job `model-server` while its gateway carries traffic: the original stack's dashboard
/// and alert expressions return data.
@Suite(.enabled(if: AgentTestServer.enabled, "MLOPSKIT_TEST_MLFLOW_URI is not set"), .serialized)
struct AgentPrometheusTests {
    typealias Fixture = AgentEndToEndTests.Fixture

    static let prometheus: String? = {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["MLOPSKIT_PROMETHEUS"], !path.isEmpty { return path }
        return (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map { "\($0)/prometheus" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// The original stack's expressions, as its dashboards and alert rules read them.
    static let expressions = [
        #"sum(rate(http_requests_total{job="model-server"}[5m]))"#,
        #"sum(rate(http_requests_total{job="model-server",status=~"5.."}[5m]))"#,
        #"(sum(rate(http_requests_total{job="model-server",status=~"5.."}[5m])) / sum(rate(http_requests_total{job="model-server"}[5m]))) * 100"#,
        #"histogram_quantile(0.95, sum(rate(http_request_duration_highr_seconds_bucket{job="model-server"}[5m])) by (le))"#,
    ]

    /// The values of an instant query's vector.
    static func query(_ expression: String, port: Int) async throws -> [Double] {
        var components = try #require(URLComponents(string: "http://127.0.0.1:\(port)/api/v1/query"))
        components.queryItems = [URLQueryItem(name: "query", value: expression)]
        let response = try await CurlTransport().send(TransportRequest(url: try #require(components.url)))
        guard response.status == 200,
            let document = try JSONSerialization.jsonObject(with: response.body) as? [String: Any],
            let data = document["data"] as? [String: Any], let result = data["result"] as? [[String: Any]]
        else { return [] }
        return result.compactMap { ($0["value"] as? [Any])?.last as? String }.compactMap(Double.init)
    }

    @Test(.enabled(if: prometheus != nil || ProcessInfo.processInfo.environment["MLOPSKIT_REQUIRE_SERVICES"] == "1"))
    func theOriginalExpressionsReturnData() async throws {
        let prometheus = try #require(Self.prometheus, "prometheus is required but not on PATH (apt-get install prometheus)")
        try await Fixture().use { fixture in
            // Version 1 answers its first 40 invocations, then 500s: both 2xx and 5xx reach the metrics.
            let behaviour = FileManager.default.temporaryDirectory.appendingPathComponent("stand-in-\(UUID().uuidString).json")
            try Data(#"{"1": "fail-after:40"}"#.utf8).write(to: behaviour)
            defer { try? FileManager.default.removeItem(at: behaviour) }
            let (agent, base, gateway) = try await AgentGatewayTests.startAgent(fixture, environment: ["STAND_IN_BEHAVIOUR": behaviour.path])
            defer { agent.cleanUp() }
            let ready = try await AgentGatewayTests.waitFor(base, model: fixture.model, within: .seconds(60)) { $0.state == .ready }
            #expect(ready?.state == .ready, "\(agent.stderr.suffix(3000))")
            let agentAddress = String(base.dropFirst("http://".count))

            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlopskit-prom-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let shipped = try String(
                contentsOf: AgentRunner.repositoryRoot.appendingPathComponent("deploy/prometheus/prometheus.yml"), encoding: .utf8)
            let promPort = try MLflowServerProcess.freePort()
            let config = shipped
                .replacingOccurrences(of: "scrape_interval: 15s", with: "scrape_interval: 1s")
                .replacingOccurrences(of: "mlflow-autoserve:9101", with: agentAddress)
                .replacingOccurrences(of: "localhost:9090", with: "127.0.0.1:\(promPort)")
            let configURL = directory.appendingPathComponent("prometheus.yml")
            try Data(config.utf8).write(to: configURL)
            let server = Process()
            server.executableURL = URL(fileURLWithPath: prometheus)
            server.arguments = [
                "--config.file=\(configURL.path)", "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
                "--web.listen-address=127.0.0.1:\(promPort)",
            ]
            server.standardOutput = FileHandle.nullDevice
            server.standardError = try FileHandle(forWritingTo: {
                let log = directory.appendingPathComponent("prometheus.log")
                _ = FileManager.default.createFile(atPath: log.path, contents: nil)
                return log
            }())
            try server.run()
            defer {
                if server.isRunning { kill(server.processIdentifier, SIGKILL) }
            }

            // Traffic through the gateway: 2xx first, then 5xx once version 1 starts failing.
            let route = "\(gateway)/models/\(fixture.model)/Production/invocations"
            var statuses: [Int] = []
            let deadline = ContinuousClock.now + .seconds(60)
            var values: [[Double]] = []
            repeat {
                for _ in 0..<10 {
                    statuses.append(try await httpPost(route, json: #"{"inputs": [[1, 2]]}"#).status)
                }
                values = []
                for expression in Self.expressions { values.append((try? await Self.query(expression, port: promPort)) ?? []) }
                if values.allSatisfy({ !$0.isEmpty }), (values[1].first ?? 0) > 0 { break }
                try await Task.sleep(for: .milliseconds(500))
            } while ContinuousClock.now < deadline
            #expect(statuses.contains(200) && statuses.contains(500))
            for (expression, result) in zip(Self.expressions, values) {
                #expect(result.count == 1, "\(expression): \(result)")
            }
            #expect((values[0].first ?? 0) > 0, "request rate")
            #expect((values[1].first ?? 0) > 0, "5xx rate")
            #expect(((values[2].first ?? 0) > 0) && ((values[2].first ?? 0) <= 100), "5xx ratio in percent")
            #expect((values[3].first ?? 0) > 0, "p95 latency")
            agent.signal(SIGTERM)
            #expect(try await agent.wait() == 0)
        }
    }
}
