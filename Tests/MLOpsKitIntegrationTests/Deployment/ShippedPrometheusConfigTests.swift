import Foundation
import MLOpsKitTestSupport
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// deploy/prometheus/prometheus.yml in a real Prometheus: with the compose host names pointed at
/// loopback, a stand-in for the agent's `/sd` and `/metrics` (`Tests/Fixtures/sd_stand_in.py`) gives
/// probe targets that keep the `model` and `alias` labels and ask the blackbox exporter for each
/// server's `/ping`, and the agent's metrics are scraped: the gateway's series under the `model-server`
/// job only, answering the original stack's expressions, and the rest under `mlflow-autoserve`. No
/// blackbox exporter runs: the probes' URLs and labels are what is checked, not their results.
@Suite("Shipped Prometheus configuration", .serialized)
struct ShippedPrometheusConfigTests {
    static let environment = ProcessInfo.processInfo.environment

    static let prometheus: String? = {
        if let path = environment["MLOPSKIT_PROMETHEUS"], !path.isEmpty { return path }
        return (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map { "\($0)/prometheus" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    struct MissingPrometheus: Error, CustomStringConvertible {
        var description: String {
            "prometheus is required (MLOPSKIT_REQUIRE_SERVICES=1) but not on PATH (apt-get install prometheus)"
        }
    }

    static func freePort() throws -> Int { try #require(LoopbackPort.allocate()) }

    @Test(.enabled(if: prometheus != nil || IntegrationEnvironment.servicesRequired, "prometheus is not installed"))
    func discoveryThroughTheAgentKeepsTheDashboardLabels() async throws {
        guard let prometheus = Self.prometheus else { throw MissingPrometheus() }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mlopskit-prometheus-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        // Two Ready instances as the agent's /sd lists them. Nothing listens on their ports.
        let servers = [(try Self.freePort(), "Production", "3"), (try Self.freePort(), "Test", "4")]
        let groups: [[String: Any]] = servers.map { port, alias, version in
            ["targets": ["127.0.0.1:\(port)"],
             "labels": ["model": "iris", "alias": alias, "version": version,
                        "mlflow_model": "iris", "mlflow_alias": alias, "mlflow_version": version]]
        }
        let sdJSON = String(decoding: try JSONSerialization.data(withJSONObject: groups), as: UTF8.self)
        let standIn = try await ChildProcess.start(
            "/usr/bin/env", ["python3", IntegrationEnvironment.repositoryRoot.appendingPathComponent("Tests/Fixtures/sd_stand_in.py").path, sdJSON],
            log: directory.appendingPathComponent("sd.log"))
        defer { standIn.stop() }
        let agentPort = try await standIn.firstLine(prefix: "port ")

        let prometheusPort = try Self.freePort()
        let blackboxPort = try Self.freePort()  // nothing listens: probes fail, targets stay
        let shipped = try String(
            contentsOf: IntegrationEnvironment.repositoryRoot.appendingPathComponent("deploy/prometheus/prometheus.yml"),
            encoding: .utf8)
        let config = shipped
            .replacingOccurrences(of: "mlflow-autoserve:9101", with: "127.0.0.1:\(agentPort)")
            .replacingOccurrences(of: "blackbox-exporter:9115", with: "127.0.0.1:\(blackboxPort)")
            .replacingOccurrences(of: "localhost:9090", with: "127.0.0.1:\(prometheusPort)")
        #expect(config != shipped)
        let configURL = directory.appendingPathComponent("prometheus.yml")
        try Data(config.utf8).write(to: configURL)
        let server = try await ChildProcess.start(
            prometheus,
            ["--config.file=\(configURL.path)", "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
             "--web.listen-address=127.0.0.1:\(prometheusPort)"],
            log: directory.appendingPathComponent("prometheus.log"))
        defer { server.stop() }

        // Discovery is refreshed at start; the agent's /metrics is scraped within one interval (15 s).
        let transport = CurlTransport()
        let targetsURL = URL(string: "http://127.0.0.1:\(prometheusPort)/api/v1/targets?state=active")!
        var active: [[String: Any]] = []
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            if let response = try? await transport.send(TransportRequest(url: targetsURL)), response.status == 200,
               let document = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
               let data = document["data"] as? [String: Any], let targets = data["activeTargets"] as? [[String: Any]] {
                active = targets
                let probes = targets.filter { $0["scrapePool"] as? String == "blackbox-mlflow-serve" }
                let agent = targets.first { $0["scrapePool"] as? String == "mlflow-autoserve" }
                let gateway = targets.first { $0["scrapePool"] as? String == "model-server" }
                if probes.count == 2, agent?["health"] as? String == "up", gateway?["health"] as? String == "up" { break }
            }
            guard server.isRunning else { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        let log = server.logTail()

        let probes = active.filter { $0["scrapePool"] as? String == "blackbox-mlflow-serve" }
        try #require(probes.count == 2, "model server probes: \(probes)\n\(log)")
        for (port, alias, version) in servers {
            let ping = "http://127.0.0.1:\(port)/ping"
            let probe = try #require(probes.first { ($0["labels"] as? [String: String])?["instance"] == ping })
            let labels = try #require(probe["labels"] as? [String: String])
            #expect(labels["job"] == "blackbox-mlflow-serve")
            #expect(labels["model"] == "iris" && labels["alias"] == alias && labels["version"] == version)
            #expect(labels["mlflow_model"] == "iris" && labels["mlflow_alias"] == alias && labels["mlflow_version"] == version)
            let scrapeURL = try #require(probe["scrapeUrl"] as? String)
            let components = try #require(URLComponents(string: scrapeURL))
            #expect(scrapeURL.hasPrefix("http://127.0.0.1:\(blackboxPort)/probe?"), "\(scrapeURL)")
            let query = Dictionary(uniqueKeysWithValues: (components.queryItems ?? []).map { ($0.name, $0.value ?? "") })
            #expect(query == ["module": "http_2xx", "target": ping], "\(scrapeURL)")
        }

        let agent = try #require(active.first { $0["scrapePool"] as? String == "mlflow-autoserve" })
        #expect(agent["health"] as? String == "up", "agent scrape: \(agent)\n\(log)")
        #expect(agent["scrapeUrl"] as? String == "http://127.0.0.1:\(agentPort)/metrics")

        let services = active.filter { $0["scrapePool"] as? String == "blackbox-http" }
        #expect(services.count == 7)
        #expect(services.allSatisfy { ($0["labels"] as? [String: String])?["service"] != nil })

        // The gateway's series are the model-server job's only, the agent's other series the
        // mlflow-autoserve job's only.
        let gateway = try #require(active.first { $0["scrapePool"] as? String == "model-server" })
        #expect(gateway["health"] as? String == "up", "model-server scrape: \(gateway)\n\(log)")
        #expect(gateway["scrapeUrl"] as? String == "http://127.0.0.1:\(agentPort)/metrics")
        let query = { (expression: String) in
            try await Self.query(expression, prometheusPort: prometheusPort, transport: transport)
        }
        let jobs = try await query(#"count by (job) ({__name__=~"http_request.*|autoserve_gateway_.*"})"#)
        #expect(Set(jobs.compactMap { $0.labels["job"] }) == ["model-server"], "\(jobs)")
        let others = try await query(#"count by (job) ({__name__=~"mlflow_.*|autoserve_.*",__name__!~"autoserve_gateway_.*"})"#)
        #expect(Set(others.compactMap { $0.labels["job"] }) == ["mlflow-autoserve"], "\(others)")
        // The original alerts' selector: the regular expression 5.. matches the status class "5xx".
        let errors = try await query(#"sum(http_requests_total{job="model-server",status=~"5.."})"#)
        #expect(errors.map(\.value) == [1], "\(errors)")
        let all = try await query(#"sum(http_requests_total{job="model-server"})"#)
        #expect(all.map(\.value) == [10], "\(all)")
        // The original latency panel, over the counts rather than their rate (one scrape has been made).
        let p95 = try await query(
            #"histogram_quantile(0.95, sum(http_request_duration_highr_seconds_bucket{job="model-server"}) by (le))"#)
        #expect(p95.count == 1 && p95.allSatisfy { $0.value > 0.075 && $0.value <= 0.1 }, "\(p95)")
    }

    /// The samples of an instant query: labels and value.
    static func query(_ expression: String, prometheusPort: Int, transport: CurlTransport) async throws
        -> [(labels: [String: String], value: Double)]
    {
        var components = try #require(URLComponents(string: "http://127.0.0.1:\(prometheusPort)/api/v1/query"))
        components.queryItems = [URLQueryItem(name: "query", value: expression)]
        let url = try #require(components.url)
        let response = try await transport.send(TransportRequest(url: url))
        try #require(response.status == 200, "\(expression): \(response.status) \(String(decoding: response.body, as: UTF8.self))")
        let document = try #require(try JSONSerialization.jsonObject(with: response.body) as? [String: Any])
        let data = try #require(document["data"] as? [String: Any])
        let result = try #require(data["result"] as? [[String: Any]])
        return result.compactMap { sample in
            guard let labels = sample["metric"] as? [String: String], let value = sample["value"] as? [Any],
                  let text = value.last as? String, let number = Double(text) else { return nil }
            return (labels, number)
        }
    }
}

/// A child process for one test: output to a log file, stopped (SIGTERM, then SIGKILL) by its PID.
final class ChildProcess: @unchecked Sendable {  // Used from one test at a time.
    private let process: Process
    let log: URL

    private init(process: Process, log: URL) {
        self.process = process
        self.log = log
    }

    static func start(_ executable: String, _ arguments: [String], log: URL) async throws -> ChildProcess {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return ChildProcess(process: process, log: log)
    }

    var isRunning: Bool { process.isRunning }

    /// The rest of the first output line starting with `prefix`, waited for up to 30 s.
    func firstLine(prefix: String) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) {
                return String(line.dropFirst(prefix.count))
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw StartFailed(log: logTail())
    }

    func logTail() -> String {
        String(((try? String(contentsOf: log, encoding: .utf8)) ?? "").suffix(3000))
    }

    struct StartFailed: Error, CustomStringConvertible {
        var log: String
        var description: String { "the child process printed no address:\n\(log)" }
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<50 where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    deinit { stop() }
}
