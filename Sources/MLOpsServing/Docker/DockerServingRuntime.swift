import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// A ``ServingRuntime`` whose instances are Docker containers, drop-in compatible with the original
/// autoserve watcher's: the same names, the same labels, the same restart policy and network.
///
/// - ``create(_:)`` makes the container (building the per-version image first in
///   ``DockerServingConfiguration/Mode/perVersionImage(baseImage:)`` mode) without starting it.
/// - Everything it knows lives in the Engine: ``instances(matching:)`` finds containers by label, so a
///   restarted agent adopts what runs.
/// - ``events()`` follows the Engine's event stream for `mlflow_serve=true` containers: start, die,
///   oom, destroy.
/// - Errors are ``ServingRuntimeError``s; an Engine that cannot be reached is
///   ``ServingRuntimeError/unavailable(_:)`` naming its socket. The spec's environment (credentials)
///   goes into the container and nowhere else: not into errors, not into logs.
public final class DockerServingRuntime: ServingRuntime {
    public let name = "docker"
    public let client: DockerEngineClient
    public let configuration: DockerServingConfiguration
    let modelFiles: (any ModelFilesProvider)?
    let logger: Logger
    let clock: ServingClock

    /// - Parameters:
    ///   - modelFiles: Supplies model files for per-version images; without it, a missing per-version
    ///     image is an error.
    public init(
        client: DockerEngineClient,
        configuration: DockerServingConfiguration = DockerServingConfiguration(),
        modelFiles: (any ModelFilesProvider)? = nil,
        logger: Logger = .disabled,
        clock: ServingClock = .system
    ) {
        self.client = client
        self.configuration = configuration
        self.modelFiles = modelFiles
        self.logger = logger
        self.clock = clock
    }

    public func instances(matching labels: [String: String]) async throws -> [ServingInstance] {
        let summaries: [DockerContainerSummary]
        do {
            summaries = try await client.containers(labels: labels)
        } catch {
            throw map(error, operation: "list")
        }
        // Inspect each for the details a list row lacks (start time, exit code, restarts); one that
        // disappears meanwhile is left out.
        return try await withThrowingTaskGroup(of: ServingInstance?.self) { group in
            for summary in summaries {
                group.addTask {
                    do {
                        return try await self.inspect(summary.id)
                    } catch ServingRuntimeError.instanceNotFound {
                        return nil
                    }
                }
            }
            var instances: [ServingInstance] = []
            for try await instance in group {
                if let instance { instances.append(instance) }
            }
            return instances.sorted { ($0.name, $0.id) < ($1.name, $1.id) }
        }
    }

    public func inspect(_ id: String) async throws -> ServingInstance {
        do {
            return instance(from: try await client.inspectContainer(id))
        } catch {
            throw map(error, operation: "inspect", id: id)
        }
    }

    public func create(_ spec: ServingSpec) async throws -> ServingInstance {
        guard !spec.name.isEmpty, !spec.version.isEmpty else {
            throw ServingRuntimeError.invalidSpec("a serving instance needs a name and a version")
        }
        if case .perVersionImage(let baseImage) = configuration.mode {
            try await ensurePerVersionImage(for: spec, baseImage: baseImage)
        }
        let port = configuration.usesHostNetwork ? try await allocateHostPort() : configuration.containerPort
        let container = configuration.containerSpec(for: spec, hostPort: port)
        let id: String
        do {
            id = try await client.createContainer(container)
        } catch {
            throw map(error, operation: "create \(spec.name)", name: spec.name)
        }
        logger.info(
            "created serving container",
            metadata: ["name": "\(spec.name)", "id": "\(id.prefix(12))", "key": "\(spec.key)", "version": "\(spec.version)"])
        return try await inspect(id)
    }

    public func start(_ id: String) async throws {
        do {
            try await client.startContainer(id)
        } catch let error where error.isNotFound {
            throw ServingRuntimeError.instanceNotFound(id)
        } catch .engine(_, let message, _) {
            throw ServingRuntimeError.startFailed(id: id, reason: message)
        } catch {
            throw map(error, operation: "start", id: id)
        }
    }

    public func stop(_ id: String, grace: Duration) async throws {
        do {
            try await client.stopContainer(id, grace: grace)
        } catch {
            throw map(error, operation: "stop", id: id)
        }
    }

    public func remove(_ id: String) async throws {
        let current = try await inspect(id)
        if current.state == .running || current.state == .restarting {
            try await stop(id, grace: configuration.removeGrace)
        }
        do {
            try await client.removeContainer(id, force: true)
        } catch let error where error.isNotFound {
            return  // gone meanwhile: what was asked
        } catch {
            throw map(error, operation: "remove", id: id)
        }
    }

    public func rename(_ id: String, to name: String) async throws {
        // The Engine refuses a rename to the current name; the protocol makes it a no-op.
        if try await inspect(id).name == name { return }
        do {
            try await client.renameContainer(id, to: name)
        } catch {
            throw map(error, operation: "rename", id: id, name: name)
        }
    }

    public func logs(_ id: String, tail: Int?) async throws -> String {
        do {
            return try await client.logs(id, tail: tail)
        } catch {
            throw map(error, operation: "logs", id: id)
        }
    }

    public func events() -> AsyncThrowingStream<ServingRuntimeEvent, any Error> {
        let client = self.client
        // From a second before the call: an instance that exits while the subscription is being set
        // up is still reported (a duplicate event is harmless to a level-triggered consumer).
        let since = Date(timeIntervalSinceNow: -1)
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let events = try await client.events(.servingContainers, since: since)
                    for try await event in events {
                        if let mapped = Self.servingEvent(from: event) { continuation.yield(mapped) }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: self.map(error, operation: "events"))
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    // MARK: Mapping

    /// A serving event for a container event (`nil` for actions a runtime does not report).
    static func servingEvent(from event: DockerEvent) -> ServingRuntimeEvent? {
        let kind: ServingRuntimeEvent.Kind
        switch event.action {
        case "start": kind = .started
        case "die": kind = .exited(exitCode: event.exitCode)
        case "oom": kind = .outOfMemory
        case "destroy": kind = .removed
        default: return nil
        }
        return ServingRuntimeEvent(instanceID: event.actorID, labels: event.labels, kind: kind)
    }

    /// The instance a container is.
    func instance(from container: DockerContainer) -> ServingInstance {
        let state: ServingInstanceState
        switch container.state.status {
        case "created": state = .created
        case "running", "paused": state = .running
        case "restarting": state = .restarting
        default: state = .exited(exitCode: container.state.startedAt == nil ? nil : container.state.exitCode)
        }
        var endpoint: URL?
        if let port = container.labels[ServingLabels.port].flatMap({ Int($0) }) {
            let host = container.networkMode == "host" ? "127.0.0.1" : container.name
            endpoint = URL(string: "http://\(host):\(port)")
        }
        return ServingInstance(
            id: container.id,
            name: container.name,
            labels: container.labels,
            state: state,
            endpoint: endpoint,
            startedAt: container.state.startedAt,
            processID: container.state.pid > 0 ? container.state.pid : nil,
            restartCount: container.restartCount)
    }

    /// A ``ServingRuntimeError`` for a client error.
    func map(_ error: any Error, operation: String, id: String? = nil, name: String? = nil) -> ServingRuntimeError {
        if let error = error as? ServingRuntimeError { return error }
        guard let error = error as? DockerError else {
            return .failed(operation: operation, reason: "\(error)")
        }
        switch error {
        case .unavailable(let host, let reason):
            return .unavailable("no Docker Engine at \(host): \(reason)")
        case .unsupportedAPIVersion:
            return .unavailable(error.description)
        case .engine(404, _, _) where id != nil:
            return .instanceNotFound(id!)
        case .engine(409, _, _) where name != nil:
            return .nameConflict(name!)
        case .engine(_, let message, _):
            return .failed(operation: operation, reason: message)
        default:
            return .failed(operation: operation, reason: error.description)
        }
    }

    // MARK: Ports and images

    /// A free port of 127.0.0.1 that no other serving container has claimed in its labels (it may
    /// exist without running yet).
    func allocateHostPort() async throws -> Int {
        let claimed: Set<Int>
        do {
            claimed = Set(try await client.containers(labels: ServingLabels.selector).compactMap {
                $0.labels[ServingLabels.port].flatMap { Int($0) }
            })
        } catch {
            throw map(error, operation: "allocate a port")
        }
        for _ in 0..<32 {
            if let port = LoopbackPort.allocate(), !claimed.contains(port) { return port }
        }
        throw ServingRuntimeError.failed(operation: "allocate a port", reason: "no free port on 127.0.0.1")
    }

    /// Builds `mlflow-model-<model>-v<version>` unless the Engine has it.
    func ensurePerVersionImage(for spec: ServingSpec, baseImage: String) async throws {
        let image = ServingNames.image(model: spec.key.model, version: spec.version)
        do {
            if try await client.imageExists(image) { return }
        } catch {
            throw map(error, operation: "inspect image \(image)")
        }
        guard let modelFiles else {
            throw ServingRuntimeError.invalidSpec("image \(image) does not exist and no model files provider is configured to build it")
        }
        let directory = try await modelFiles.modelDirectory(for: spec)
        // The build context goes through a file (holes kept, mode 0600, removed after the build) that the
        // transport streams: the model files are copied a chunk at a time, never held in memory.
        let contextFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("mlopskit-build-context-\(UUID().uuidString).tar")
        defer { try? FileManager.default.removeItem(at: contextFile) }
        do {
            let context = try TarFileWriter(creating: contextFile)
            try context.addFile("Dockerfile", contents: Data(DockerServingConfiguration.dockerfile(baseImage: baseImage).utf8))
            try context.addTree(at: directory, as: "model")
            try context.finish()
        } catch {
            throw ServingRuntimeError.failed(operation: "build image \(image)", reason: "cannot pack the model files: \(error)")
        }
        let started = clock.now
        do {
            _ = try await client.buildImage(
                tag: image, context: .file(contextFile),
                labels: [ServingLabels.model: spec.key.model, ServingLabels.version: spec.version])
        } catch {
            throw map(error, operation: "build image \(image)")
        }
        logger.info("built per-version image", metadata: ["image": "\(image)", "seconds": "\((clock.now - started).seconds)"])
    }
}
