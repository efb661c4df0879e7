import MLOpsCore

/// What `POST /containers/create` should make: the parts of the Engine's container configuration
/// MLOpsKit uses.
///
/// The environment may hold credentials: it goes into the request body only, never into errors or logs.
public struct DockerContainerSpec: Sendable, Hashable {
    /// The container's name (without the leading `/`).
    public var name: String
    public var image: String
    /// The command (`Cmd`); the image's when `nil`.
    public var command: [String]?
    /// The entry point; the image's when `nil`.
    public var entrypoint: [String]?
    public var environment: [String: String]
    public var labels: [String: String]
    /// Ports the container listens on, such as `8080/tcp` (`ExposedPorts`).
    public var exposedPorts: [String]
    public var restartPolicy: DockerRestartPolicy
    /// `host`, `none`, `bridge` or the name of a user-defined network; the Engine's default when `nil`.
    public var networkMode: String?
    /// Further names under which the container is reachable on ``networkMode`` (a user-defined network
    /// only).
    public var networkAliases: [String]
    /// Bind mounts as the Engine writes them: `/host/path:/container/path[:ro]`.
    public var binds: [String]
    /// Container ports published on the host.
    public var portBindings: [DockerPortBinding]
    /// A memory limit in bytes.
    public var memoryLimit: Int64?

    public init(
        name: String,
        image: String,
        command: [String]? = nil,
        entrypoint: [String]? = nil,
        environment: [String: String] = [:],
        labels: [String: String] = [:],
        exposedPorts: [String] = [],
        restartPolicy: DockerRestartPolicy = .no,
        networkMode: String? = nil,
        networkAliases: [String] = [],
        binds: [String] = [],
        portBindings: [DockerPortBinding] = [],
        memoryLimit: Int64? = nil
    ) {
        self.name = name
        self.image = image
        self.command = command
        self.entrypoint = entrypoint
        self.environment = environment
        self.labels = labels
        self.exposedPorts = exposedPorts
        self.restartPolicy = restartPolicy
        self.networkMode = networkMode
        self.networkAliases = networkAliases
        self.binds = binds
        self.portBindings = portBindings
        self.memoryLimit = memoryLimit
    }

    /// Whether ``networkMode`` names a user-defined network, where aliases and DNS names work.
    public var usesUserDefinedNetwork: Bool {
        guard let mode = networkMode, !mode.isEmpty else { return false }
        return !["host", "none", "bridge", "default"].contains(mode) && !mode.hasPrefix("container:")
    }
}

/// A container's restart policy.
public enum DockerRestartPolicy: Sendable, Hashable, CustomStringConvertible {
    case no
    case always
    case unlessStopped
    /// Restart after a non-zero exit, at most `maximumRetries` times (0: no limit).
    case onFailure(maximumRetries: Int)

    /// Parses `no`, `always`, `unless-stopped`, `on-failure` or `on-failure:N` (Docker's own spelling).
    public init?(_ text: String) {
        switch text {
        case "no", "": self = .no
        case "always": self = .always
        case "unless-stopped": self = .unlessStopped
        case "on-failure": self = .onFailure(maximumRetries: 0)
        default:
            guard text.hasPrefix("on-failure:"), let count = Int(text.dropFirst("on-failure:".count)), count >= 0 else {
                return nil
            }
            self = .onFailure(maximumRetries: count)
        }
    }

    var name: String {
        switch self {
        case .no: "no"
        case .always: "always"
        case .unlessStopped: "unless-stopped"
        case .onFailure: "on-failure"
        }
    }

    public var description: String {
        if case .onFailure(let count) = self, count > 0 { return "on-failure:\(count)" }
        return name
    }
}

/// A container port published on the host.
public struct DockerPortBinding: Sendable, Hashable {
    public var containerPort: Int
    /// `tcp` or `udp`.
    public var transportProtocol: String
    /// The host address to bind; keep it `127.0.0.1` unless the port must be reachable from elsewhere.
    public var hostIP: String
    /// The host port; `nil` lets the Engine choose.
    public var hostPort: Int?

    public init(containerPort: Int, transportProtocol: String = "tcp", hostIP: String = "127.0.0.1", hostPort: Int? = nil) {
        self.containerPort = containerPort
        self.transportProtocol = transportProtocol
        self.hostIP = hostIP
        self.hostPort = hostPort
    }
}

extension DockerContainerSpec {
    /// The body of `POST /containers/create`.
    struct Wire: Encodable {
        struct RestartPolicy: Encodable {
            var Name: String
            var MaximumRetryCount: Int
        }
        struct HostBinding: Encodable {
            var HostIp: String
            var HostPort: String
        }
        struct HostConfig: Encodable {
            var RestartPolicy: RestartPolicy
            var NetworkMode: String?
            var Binds: [String]?
            var PortBindings: [String: [HostBinding]]?
            var Memory: Int64?
        }
        struct Endpoint: Encodable {
            var Aliases: [String]?
        }
        struct NetworkingConfig: Encodable {
            var EndpointsConfig: [String: Endpoint]
        }
        struct Empty: Encodable {}

        var Image: String
        var Cmd: [String]?
        var Entrypoint: [String]?
        var Env: [String]
        var Labels: [String: String]
        var ExposedPorts: [String: Empty]?
        var HostConfig: HostConfig
        var NetworkingConfig: NetworkingConfig?
    }

    var wire: Wire {
        var exposed = Set(exposedPorts)
        var bindings: [String: [Wire.HostBinding]] = [:]
        for binding in portBindings {
            let key = "\(binding.containerPort)/\(binding.transportProtocol)"
            exposed.insert(key)
            bindings[key, default: []].append(
                Wire.HostBinding(HostIp: binding.hostIP, HostPort: binding.hostPort.map(String.init) ?? ""))
        }
        var networking: Wire.NetworkingConfig?
        if usesUserDefinedNetwork, let mode = networkMode, !networkAliases.isEmpty {
            networking = Wire.NetworkingConfig(EndpointsConfig: [mode: Wire.Endpoint(Aliases: networkAliases)])
        }
        var maximumRetries = 0
        if case .onFailure(let count) = restartPolicy { maximumRetries = count }
        return Wire(
            Image: image,
            Cmd: command,
            Entrypoint: entrypoint,
            Env: environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" },
            Labels: labels,
            ExposedPorts: exposed.isEmpty ? nil : Dictionary(uniqueKeysWithValues: exposed.map { ($0, Wire.Empty()) }),
            HostConfig: Wire.HostConfig(
                RestartPolicy: Wire.RestartPolicy(Name: restartPolicy.name, MaximumRetryCount: maximumRetries),
                NetworkMode: networkMode,
                Binds: binds.isEmpty ? nil : binds,
                PortBindings: bindings.isEmpty ? nil : bindings,
                Memory: memoryLimit),
            NetworkingConfig: networking)
    }
}
