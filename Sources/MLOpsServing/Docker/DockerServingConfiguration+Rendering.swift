import MLOpsCore

extension DockerServingConfiguration {
    /// The model server command for an instance listening on `host`:`port`.
    public func command(for spec: ServingSpec, host: String, port: Int) -> [String] {
        let modelURI: String
        let envManager: String
        switch mode {
        case .image:
            modelURI = spec.versionModelURI
            envManager = self.envManager
        case .perVersionImage:
            modelURI = DockerServingConfiguration.modelPathInImage
            envManager = "local"
        }
        guard let template = commandTemplate else {
            return ["mlflow", "models", "serve", "-m", modelURI, "-h", host, "-p", String(port), "--env-manager", envManager]
        }
        let values = [
            "{model_uri}": modelURI, "{host}": host, "{port}": String(port), "{env_manager}": envManager,
            "{model}": spec.key.model, "{alias}": spec.key.alias, "{version}": spec.version,
        ]
        return template.map { argument in
            values.reduce(argument) { text, pair in text.replacing(pair.key, with: pair.value) }
        }
    }

    /// The labels of an instance: ``ServingLabels/labels(for:port:)``, and `mlflow_image` in image mode.
    public func labels(for spec: ServingSpec, port: Int) -> [String: String] {
        var labels = ServingLabels.labels(for: spec, port: port)
        if case .image(let image) = mode { labels[ServingLabels.image] = image }
        return labels
    }

    /// The image an instance of `spec` runs.
    public func image(for spec: ServingSpec) -> String {
        switch mode {
        case .image(let image): image
        case .perVersionImage: ServingNames.image(model: spec.key.model, version: spec.version)
        }
    }

    /// The container for `spec`. `hostPort` is the instance's own port on the host network (ignored on
    /// other networks, where every instance listens on ``containerPort``).
    ///
    /// On a user-defined network every instance of a key also answers to the key's stable name
    /// (``ServingNames/stable(for:)``) as a network alias, so a replacement started under its candidate
    /// name is reachable under the same DNS name as the instance it replaces.
    public func containerSpec(for spec: ServingSpec, hostPort: Int) -> DockerContainerSpec {
        let host = usesHostNetwork ? "127.0.0.1" : "0.0.0.0"
        let port = usesHostNetwork ? hostPort : containerPort
        var environment = self.environment
        environment.merge(spec.environment) { _, new in new }
        var container = DockerContainerSpec(
            name: spec.name,
            image: image(for: spec),
            command: command(for: spec, host: host, port: port),
            environment: environment,
            labels: labels(for: spec, port: port),
            exposedPorts: usesHostNetwork ? [] : ["\(port)/tcp"],
            restartPolicy: restartPolicy,
            networkMode: network,
            binds: mounts.map(\.bind),
            memoryLimit: memoryLimit)
        if container.usesUserDefinedNetwork {
            container.networkAliases = [ServingNames.stable(for: spec.key)]
        }
        return container
    }

    /// Where a per-version image holds the model.
    static let modelPathInImage = "/opt/ml/model"

    /// The Dockerfile of a per-version image built on `baseImage`.
    static func dockerfile(baseImage: String) -> String {
        """
        FROM \(baseImage)
        COPY model \(modelPathInImage)
        EXPOSE 8080
        CMD ["mlflow", "models", "serve", "-m", "\(modelPathInImage)", "-h", "0.0.0.0", "-p", "8080", "--env-manager", "local"]

        """
    }
}
