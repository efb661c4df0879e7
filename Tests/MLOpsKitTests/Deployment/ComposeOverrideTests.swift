import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// deploy/compose/docker-compose.mlopskit.yml swaps the original stack's `mlflow-autoserve` and
/// `demo-bootstrap` for MLOpsKit's image. It cannot be run here (no registry, no Compose); these tests
/// read it as YAML and hold it to the project's configuration catalog, the Dockerfile and the
/// Prometheus configuration, so that none of them can drift from the others.
@Suite("Compose override", .enabled(if: DeploymentFiles.python != nil || DeploymentFiles.required,
                                     "the services venv (PyYAML) is missing; run scripts/python-env"))
struct ComposeOverrideTests {
    static let path = "deploy/compose/docker-compose.mlopskit.yml"

    /// Variables the override interpolates that are Compose's business, not MLOpsKit's configuration.
    static let composeOnlyVariables: Set<String> = ["MLOPSKIT_IMAGE", "MLOPSKIT_DEPLOY_DIR", "DOCKER_GID"]

    /// Defaults that differ from the catalog's on purpose: inside the compose network the services have
    /// their compose names (the original stack's defaults), where the library defaults to loopback.
    static let networkDefaults = [
        ConfigurationKey.trackingURI.name: "http://mlflow:5000",
        ConfigurationKey.s3EndpointURL.name: "http://minio:9000",
    ]

    static func services() async throws -> [String: [String: Any]] {
        let document = try #require(try await DeploymentFiles.yaml(path) as? [String: Any])
        return try #require(document["services"] as? [String: [String: Any]])
    }

    /// A value with a Compose merge tag (`{"!override": value}`) unwrapped.
    static func untagged(_ value: Any?) -> Any? {
        if let tagged = value as? [String: Any], tagged.count == 1,
           let tag = tagged.keys.first, tag.hasPrefix("!") {
            return tagged[tag] ?? nil
        }
        return value
    }

    static func environment(_ service: [String: Any]) throws -> [String: String] {
        let environment = try #require(untagged(service["environment"]) as? [String: Any])
        return environment.mapValues { "\($0)" }
    }

    @Test func itSwapsTheTwoPythonServicesAndRemountsPrometheus() async throws {
        let services = try await Self.services()
        #expect(Set(services.keys) == ["mlflow-autoserve", "demo-bootstrap", "prometheus"])
        for name in ["mlflow-autoserve", "demo-bootstrap"] {
            let service = try #require(services[name])
            #expect(service["image"] as? String == "${MLOPSKIT_IMAGE:-mlopskit:local}")
            // The original services are built from their own folders: the build must go, not merge.
            let build = try #require(service["build"] as? [String: Any])
            #expect(build.keys.sorted() == ["!reset"], "\(name): build must be !reset")
            // Their environment is replaced, not merged, so exactly these variables reach the container.
            let environment = try #require(service["environment"] as? [String: Any])
            #expect(environment.keys.sorted() == ["!override"], "\(name): environment must be !override")
        }
    }

    @Test func everyVariableIsAConfigurationKeyWithTheCatalogsDefault() async throws {
        let services = try await Self.services()
        let catalog = Dictionary(uniqueKeysWithValues: ConfigurationKey.all.map { ($0.name, $0) })
        var checked = 0
        for name in ["mlflow-autoserve", "demo-bootstrap"] {
            for (key, value) in try Self.environment(try #require(services[name])) {
                #expect(catalog[key] != nil, "\(name): \(key) is not in ConfigurationKey.all")
                checked += 1
                // `${KEY:-default}` passes the stack's .env value on, with the catalog's default.
                guard value.hasPrefix("${") else { continue }
                let reference = DeploymentFiles.matches(of: #"^\$\{([A-Z0-9_]+)(?::-|\})"#, in: value)
                #expect(reference == [key], "\(name): \(key) should take ${\(key)}, not \(value)")
                let fallback = DeploymentFiles.matches(of: #":-([^}]*)\}$"#, in: value).first ?? ""
                let expected = Self.networkDefaults[key] ?? catalog[key]?.defaultValue ?? ""
                #expect(fallback == expected, "\(name): \(key) falls back to '\(fallback)', the catalog says '\(expected)'")
            }
        }
        #expect(checked >= 25)
        // Interpolations anywhere in the file (volumes, group_add, image) are known names too.
        let text = try DeploymentFiles.text(Self.path)
        for variable in Set(DeploymentFiles.matches(of: #"\$\{([A-Za-z0-9_]+)"#, in: text)) {
            #expect(catalog[variable] != nil || Self.composeOnlyVariables.contains(variable),
                    "${\(variable)} is neither a configuration key nor a documented compose variable")
        }
        let deployment = try DeploymentFiles.text("docs/DEPLOYMENT.md")
        for variable in Self.composeOnlyVariables {
            #expect(deployment.contains("`\(variable)`"), "docs/DEPLOYMENT.md does not explain \(variable)")
        }
    }

    @Test func theAgentListensOnItsPortInTheNetworkAndChecksItsOwnHealth() async throws {
        let agent = try #require(try await Self.services()["mlflow-autoserve"])
        #expect(Self.untagged(agent["entrypoint"]) as? [String] == ["autoserve-agent"])
        let environment = try Self.environment(agent)
        let port = try #require(ConfigurationKey.exporterPort.defaultValue)
        #expect(environment["MLFLOW_SERVE_LISTEN"] == "0.0.0.0:\(port)")
        #expect(environment["MLFLOW_SERVE_RUNTIME"] == "docker")
        // The serving gateway listens beside it, on the port after it, for the compose network.
        #expect(environment["MLFLOW_SERVE_GATEWAY_LISTEN"] == "0.0.0.0:\((Int(port) ?? 0) + 1)")
        #expect(agent["expose"] as? [String] == [port, "\((Int(port) ?? 0) + 1)"])
        let volumes = try #require(Self.untagged(agent["volumes"]) as? [String])
        #expect(volumes == ["/var/run/docker.sock:/var/run/docker.sock:ro"])
        // The image has no curl; the check speaks HTTP through bash to the agent's liveness route.
        let healthcheck = try #require(agent["healthcheck"] as? [String: Any])
        let test = try #require(healthcheck["test"] as? [String])
        #expect(test.prefix(3) == ["CMD", "bash", "-c"])
        #expect(test.last?.contains("/dev/tcp/127.0.0.1/\(port)") == true)
        #expect(test.last?.contains("GET /healthz ") == true)
        // The Dockerfile exposes the same port.
        let runtime = try #require(Dockerfile(try DeploymentFiles.text("Dockerfile")).stage(named: "runtime"))
        #expect(runtime.all("EXPOSE").map(\.arguments) == ["\(port) \((Int(port) ?? 0) + 1)"])
    }

    @Test func bootstrapRunsMlopsBootstrapWithDocumentedFlags() async throws {
        let bootstrap = try #require(try await Self.services()["demo-bootstrap"])
        #expect(Self.untagged(bootstrap["entrypoint"]) as? [String] == ["mlops"])
        let command = try #require(Self.untagged(bootstrap["command"]) as? [String])
        #expect(command.first == "bootstrap")
        let synopsis = try DeploymentFiles.text("docs/CLI.md")
        for flag in command.dropFirst() where flag.hasPrefix("--") {
            #expect(synopsis.contains("[\(flag)"), "mlops bootstrap has no documented flag \(flag)")
        }
        #expect(bootstrap["restart"] as? String == "no")
        let environment = try Self.environment(bootstrap)
        for key in [ConfigurationKey.airflowBaseURL, .prometheusURL, .lokiURL, .grafanaURL] {
            #expect(environment[key.name]?.hasPrefix("http://") == true, "\(key.name) must name the compose service")
        }
    }

    @Test func prometheusGetsTheConfigurationThisRepositoryShips() async throws {
        let prometheus = try #require(try await Self.services()["prometheus"])
        let volumes = try #require(prometheus["volumes"] as? [String])
        #expect(volumes == ["${MLOPSKIT_DEPLOY_DIR:-./mlopskit/deploy}/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro"])
        #expect(DeploymentFiles.exists("deploy/prometheus/prometheus.yml"))
    }
}
