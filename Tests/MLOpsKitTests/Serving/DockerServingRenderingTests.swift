import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsMLflow
@testable import MLOpsOrchestration
@testable import MLOpsServing
@testable import MLOpsAutoserve

@Suite("Docker serving: names, labels, commands and container specs")
struct DockerServingRenderingTests {
    private let key = ServingKey(model: "Iris Classifier", alias: "Production")

    private func spec(name: String? = nil) -> ServingSpec {
        ServingSpec(
            key: key, version: "7", name: name,
            environment: ["MLFLOW_TRACKING_URI": "http://mlflow:5000", "AWS_SECRET_ACCESS_KEY": "s3cr3t-value"],
            extraLabels: ["team": "ds", ServingLabels.version: "spoofed"], configHash: "abc123")
    }

    @Test func genericImageModeMatchesTheOriginal() {
        let configuration = DockerServingConfiguration()
        #expect(configuration.mode == .image("mlops-mlflow"))
        #expect(configuration.network == "mlops_default")
        #expect(configuration.restartPolicy == .always)
        let container = configuration.containerSpec(for: spec(), hostPort: 0)
        #expect(container.name == "mlflow-serve-iris-classifier-production")
        #expect(container.image == "mlops-mlflow")
        #expect(container.command == [
            "mlflow", "models", "serve", "-m", "models:/Iris Classifier/7", "-h", "0.0.0.0", "-p", "5000",
            "--env-manager", "virtualenv",
        ])
        #expect(container.labels == [
            "mlflow_serve": "true", "mlflow_model": "Iris Classifier", "mlflow_alias": "Production",
            "mlflow_port": "5000", "mlflow_version": "7", "mlflow_image": "mlops-mlflow",
            "mlflow_config_hash": "abc123", "team": "ds",
        ])
        #expect(container.exposedPorts == ["5000/tcp"])
        #expect(container.networkMode == "mlops_default")
        #expect(container.networkAliases == ["mlflow-serve-iris-classifier-production"])
        #expect(container.restartPolicy == .always)
        #expect(container.environment["AWS_SECRET_ACCESS_KEY"] == "s3cr3t-value")
    }

    @Test func aCandidateAnswersToTheStableName() {
        let candidate = ServingNames.candidate(for: key, version: "8")
        let container = DockerServingConfiguration().containerSpec(for: spec(name: candidate), hostPort: 0)
        #expect(container.name == "mlflow-serve-iris-classifier-production-v8")
        #expect(container.networkAliases == ["mlflow-serve-iris-classifier-production"])
        let wire = container.wire
        #expect(wire.NetworkingConfig?.EndpointsConfig["mlops_default"]?.Aliases == ["mlflow-serve-iris-classifier-production"])
    }

    @Test func perVersionImageMode() {
        let configuration = DockerServingConfiguration(mode: .perVersionImage(baseImage: "mlops-mlflow"))
        let container = configuration.containerSpec(for: spec(), hostPort: 0)
        #expect(container.image == "mlflow-model-iris-classifier-v7")
        #expect(container.command == [
            "mlflow", "models", "serve", "-m", "/opt/ml/model", "-h", "0.0.0.0", "-p", "8080", "--env-manager", "local",
        ])
        #expect(container.labels[ServingLabels.port] == "8080")
        #expect(container.labels[ServingLabels.image] == nil, "mlflow_image belongs to image mode")
        let dockerfile = DockerServingConfiguration.dockerfile(baseImage: "mlops-mlflow")
        #expect(dockerfile.hasPrefix("FROM mlops-mlflow\nCOPY model /opt/ml/model\n"))
        #expect(dockerfile.contains(#"CMD ["mlflow", "models", "serve", "-m", "/opt/ml/model", "-h", "0.0.0.0", "-p", "8080", "--env-manager", "local"]"#))
    }

    @Test func hostNetworkUsesTheInstancesOwnLoopbackPort() {
        var configuration = DockerServingConfiguration(network: "host")
        configuration.restartPolicy = .no
        let container = configuration.containerSpec(for: spec(), hostPort: 41234)
        #expect(container.command?.suffix(6) == ["-h", "127.0.0.1", "-p", "41234", "--env-manager", "virtualenv"])
        #expect(container.labels[ServingLabels.port] == "41234")
        #expect(container.networkAliases.isEmpty, "no aliases outside user-defined networks")
        #expect(container.exposedPorts.isEmpty)
        #expect(container.wire.NetworkingConfig == nil)
        #expect(container.wire.HostConfig.RestartPolicy.Name == "no")
    }

    @Test func commandTemplateAndMounts() {
        var configuration = DockerServingConfiguration(network: "host")
        configuration.commandTemplate = ["sh", "-c", "serve {model_uri} on {host}:{port} ({env_manager}) {model}@{alias} v{version}"]
        configuration.mounts = [.init(hostPath: "/srv/venv", containerPath: "/opt/venv")]
        configuration.environment = ["MLFLOW_TRACKING_URI": "overridden-by-spec", "EXTRA": "1"]
        let container = configuration.containerSpec(for: spec(), hostPort: 5555)
        #expect(container.command == ["sh", "-c", "serve models:/Iris Classifier/7 on 127.0.0.1:5555 (virtualenv) Iris Classifier@Production v7"])
        #expect(container.binds == ["/srv/venv:/opt/venv:ro"])
        #expect(container.environment == [
            "MLFLOW_TRACKING_URI": "http://mlflow:5000", "AWS_SECRET_ACCESS_KEY": "s3cr3t-value", "EXTRA": "1",
        ])
    }

    @Test func wireBodyHasTheEnginesFieldNames() throws {
        var container = DockerContainerSpec(
            name: "x", image: "img", command: ["a"], environment: ["B": "2", "A": "1"], labels: ["l": "v"],
            restartPolicy: .onFailure(maximumRetries: 3), networkMode: "host", binds: ["/a:/b:ro"],
            portBindings: [DockerPortBinding(containerPort: 8080, hostPort: 18080)], memoryLimit: 1 << 30)
        container.networkAliases = ["ignored-on-host"]
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(container.wire)) as! [String: Any]
        #expect(json["Image"] as? String == "img")
        #expect(json["Env"] as? [String] == ["A=1", "B=2"])
        let host = json["HostConfig"] as! [String: Any]
        #expect((host["RestartPolicy"] as! [String: Any])["Name"] as? String == "on-failure")
        #expect((host["RestartPolicy"] as! [String: Any])["MaximumRetryCount"] as? Int == 3)
        #expect(host["NetworkMode"] as? String == "host")
        #expect(host["Binds"] as? [String] == ["/a:/b:ro"])
        #expect(host["Memory"] as? Int == 1 << 30)
        let bindings = host["PortBindings"] as! [String: [[String: String]]]
        #expect(bindings["8080/tcp"] == [["HostIp": "127.0.0.1", "HostPort": "18080"]])
        #expect((json["ExposedPorts"] as? [String: Any])?.keys.sorted() == ["8080/tcp"])
        #expect(json["NetworkingConfig"] == nil)
    }

    @Test func restartPolicySpellings() {
        #expect(DockerRestartPolicy("always") == .always)
        #expect(DockerRestartPolicy("unless-stopped") == .unlessStopped)
        #expect(DockerRestartPolicy("on-failure:5") == .onFailure(maximumRetries: 5))
        #expect(DockerRestartPolicy("no") == DockerRestartPolicy.no)
        #expect(DockerRestartPolicy("sometimes") == nil)
        #expect(DockerRestartPolicy.onFailure(maximumRetries: 5).description == "on-failure:5")
    }

    @Test func fromTheOriginalsVariables() {
        var configuration = MLOpsConfiguration()
        configuration.serveMode = .dockerImage
        configuration.serveImage = "my-mlflow"
        configuration.serveNetwork = "net"
        configuration.servePort = 6000
        configuration.serveEnvManager = "local"
        let docker = DockerServingConfiguration(configuration)
        #expect(docker.mode == .perVersionImage(baseImage: "my-mlflow"))
        #expect(docker.network == "net")
        #expect(docker.containerPort == 8080)
        configuration.serveMode = .genericImage
        let generic = DockerServingConfiguration(configuration)
        #expect(generic.mode == .image("my-mlflow"))
        #expect(generic.containerPort == 6000)
        #expect(generic.envManager == "local")
    }

    @Test func errorsMapToTheRuntimeContract() {
        let runtime = DockerServingRuntime(client: DockerEngineClient())
        #expect(runtime.map(DockerError.engine(status: 404, message: "No such container: x", operation: "inspect"), operation: "inspect", id: "x") == .instanceNotFound("x"))
        #expect(runtime.map(DockerError.engine(status: 409, message: "Conflict", operation: "create"), operation: "create", name: "n") == .nameConflict("n"))
        let unavailable = runtime.map(DockerError.unavailable(host: "unix:///tmp/none.sock", reason: "No such file"), operation: "list")
        guard case .unavailable(let reason) = unavailable else {
            Issue.record("expected unavailable, got \(unavailable)")
            return
        }
        #expect(reason.contains("/tmp/none.sock"))
    }
}
