import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsMLflow
@testable import MLOpsServing

/// deploy/prometheus/prometheus.yml: valid for promtool, the original job names, model servers found
/// through the agent's `/sd` (no `docker_sd_configs`), and the agent's `/metrics` scraped: the gateway's
/// series under the original `model-server` job, the rest under `mlflow-autoserve`.
@Suite("Prometheus configuration")
struct PrometheusConfigTests {
    static let path = "deploy/prometheus/prometheus.yml"

    @Test(.enabled(if: DeploymentFiles.promtool != nil || DeploymentFiles.required, "promtool is not installed"))
    func promtoolAcceptsIt() async throws {
        guard let promtool = DeploymentFiles.promtool else {
            throw DeploymentFiles.MissingTool(name: "promtool", hint: "apt-get install prometheus, or set MLOPSKIT_PROMTOOL")
        }
        let (status, output) = try await DeploymentFiles.run(promtool, ["check", "config", Self.path])
        #expect(status == 0, "promtool check config:\n\(output)")
        #expect(output.contains("SUCCESS"))
    }

    @Test func noDockerServiceDiscovery() throws {
        // Comments may mention what the file no longer does; the configuration itself may not.
        let text = try DeploymentFiles.text(Self.path).split(separator: "\n")
            .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }.joined(separator: "\n")
        #expect(!text.isEmpty)
        #expect(!text.contains("docker_sd_configs") && !text.contains("dockerswarm_sd_configs"))
        #expect(!text.contains("docker.sock"))
    }

    @Test(.enabled(if: DeploymentFiles.python != nil || DeploymentFiles.required, "the services venv (PyYAML) is missing"))
    func jobsKeepTheOriginalNamesAndUseTheAgent() async throws {
        let document = try #require(try await DeploymentFiles.yaml(Self.path) as? [String: Any])
        let jobs = try #require(document["scrape_configs"] as? [[String: Any]])
        let byName = Dictionary(uniqueKeysWithValues: jobs.compactMap { job in (job["job_name"] as? String).map { ($0, job) } })
        #expect(byName.count == jobs.count, "job names must be unique")
        let port = try #require(ConfigurationKey.exporterPort.defaultValue)
        let agent = "mlflow-autoserve:\(port)"

        // The agent's own metrics (and the registry exporter's), from the compose service.
        let metrics = try #require(byName["mlflow-autoserve"])
        #expect(metrics["metrics_path"] as? String == "/metrics")
        let metricTargets = (metrics["static_configs"] as? [[String: Any]])?.flatMap { $0["targets"] as? [String] ?? [] }
        #expect(metricTargets == [agent])

        // The gateway's series from the same /metrics under the original model servers' job name, and
        // only there: each series lives in exactly one job.
        let gateway = try #require(byName["model-server"])
        #expect(gateway["metrics_path"] as? String == "/metrics")
        let gatewayTargets = (gateway["static_configs"] as? [[String: Any]])?.flatMap { $0["targets"] as? [String] ?? [] }
        #expect(gatewayTargets == [agent])
        let gatewaySeries = "http_request.*|autoserve_gateway_.*|autoserve_shadow_.*"
        for (job, action) in [(gateway, "keep"), (metrics, "drop")] {
            let relabels = try #require(job["metric_relabel_configs"] as? [[String: Any]])
            #expect(relabels.count == 1)
            #expect(relabels.first?["source_labels"] as? [String] == ["__name__"])
            #expect(relabels.first?["regex"] as? String == gatewaySeries)
            #expect(relabels.first?["action"] as? String == action)
        }

        // Model servers from /sd, probed on /ping through the blackbox exporter's http_2xx module.
        let serve = try #require(byName["blackbox-mlflow-serve"])
        #expect(serve["metrics_path"] as? String == "/probe")
        #expect((serve["params"] as? [String: [String]])?["module"] == ["http_2xx"])
        let sd = try #require(serve["http_sd_configs"] as? [[String: Any]])
        #expect(sd.compactMap { $0["url"] as? String } == ["http://\(agent)/sd"])
        let relabels = try #require(serve["relabel_configs"] as? [[String: Any]])
        let target = try #require(relabels.first { $0["target_label"] as? String == "__param_target" })
        #expect(target["source_labels"] as? [String] == ["__address__"])
        #expect(target["replacement"] as? String == "http://${1}/ping")
        // The labels the dashboards read (model, alias) come from /sd and must not be dropped or renamed.
        for relabel in relabels {
            #expect(!["model", "alias"].contains(relabel["target_label"] as? String ?? ""))
            #expect(!["labeldrop", "labelkeep", "drop", "keep"].contains(relabel["action"] as? String ?? ""))
        }
        #expect(relabels.contains { $0["target_label"] as? String == "__address__" && ($0["replacement"] as? String)?.hasSuffix(":9115") == true })

        // The stack's services, on the health URLs the original probes.
        let http = try #require(byName["blackbox-http"])
        #expect((http["params"] as? [String: [String]])?["module"] == ["http_2xx"])
        let targets = (http["static_configs"] as? [[String: Any]] ?? []).flatMap { $0["targets"] as? [String] ?? [] }
        for url in ["http://mlflow:5000/health", "http://airflow-webserver:8080/health", "http://minio:9000/minio/health/live",
                    "http://prometheus:9090/-/healthy", "http://loki:3100/ready", "http://grafana:3000/api/health"] {
            #expect(targets.contains(url), "blackbox-http does not probe \(url)")
        }
        #expect(jobs.allSatisfy { $0["docker_sd_configs"] == nil })
    }
}
