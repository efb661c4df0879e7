import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

@Suite("DockerEngineClient against a real dockerd", .enabled(if: DockerTestEnvironment.enabled))
struct DockerEngineClientIntegrationTests {
    @Test func pingsAndNegotiatesTheAPIVersion() async throws {
        let client = try DockerTestEnvironment.client()
        try await client.ping()
        let version = try await client.version()
        let server = try #require(DockerAPIVersion(version.apiVersion))
        let negotiated = try await client.apiVersion()
        #expect(negotiated == min(server, DockerAPIVersion.clientMaximum))
        if let minimum = version.minimumAPIVersion.flatMap(DockerAPIVersion.init) { #expect(negotiated >= minimum) }
        #expect(try await client.imageExists(DockerTestEnvironment.image))
        #expect(try await client.imageExists("mlopskit-no-such-image:\(UUID().uuidString.prefix(8).lowercased())") == false)
    }

    @Test func containerLifecycle() async throws {
        let client = try DockerTestEnvironment.client()
        let run = UUID().uuidString.lowercased()
        let port = try DockerTestEnvironment.freePort()
        let name = "mlopskit-test-\(run.prefix(8))"
        do {
            let id = try await client.createContainer(DockerContainerSpec(
                name: name, image: DockerTestEnvironment.image, command: DockerTestEnvironment.httpdCommand(port: port),
                environment: ["SECRET_TOKEN": "do-not-print"], labels: [DockerTestEnvironment.testLabel: run, "role": "web"],
                networkMode: "host"))

            // Listed by label (created, not running), and not under another label value.
            let listed = try await client.containers(labels: [DockerTestEnvironment.testLabel: run, "role": "web"])
            #expect(listed.map(\.id) == [id])
            #expect(listed.first?.name == name)
            #expect(listed.first?.state == "created")
            #expect(try await client.containers(labels: [DockerTestEnvironment.testLabel: run, "role": "db"]).isEmpty)

            try await client.startContainer(id)
            try await client.startContainer(id)  // 304: already started
            #expect(await DockerTestEnvironment.waitForOK(URL(string: "http://127.0.0.1:\(port)/ping")!) == 200)
            let running = try await client.inspectContainer(id)
            #expect(running.state.running)
            #expect(running.state.pid > 0)
            #expect(running.networkMode == "host")
            #expect(running.labels["role"] == "web")
            #expect(!running.description.contains("do-not-print"))

            let logs = try await client.logs(id)
            #expect(logs.contains("serving on \(port)\n"))
            #expect(logs.contains("ready\n"), "stderr is demultiplexed too")
            #expect(try await client.logs(id, tail: 1).split(separator: "\n").count == 1)

            // httpd, PID 1 of its container, has no SIGTERM handler: the grace period runs out, then SIGKILL.
            try await client.stopContainer(id, grace: .seconds(1))
            try await client.stopContainer(id, grace: .seconds(1))  // 304: already stopped
            let stopped = try await client.inspectContainer(id)
            #expect(!stopped.state.running)
            #expect(stopped.state.status == "exited")

            let renamed = name + "-renamed"
            try await client.renameContainer(id, to: renamed)
            #expect(try await client.inspectContainer(renamed).id == id)

            try await client.removeContainer(id)
            await #expect(throws: DockerError.self) { try await client.inspectContainer(id) }
            do {
                _ = try await client.inspectContainer(id)
            } catch {
                #expect(error.isNotFound)
            }
        } catch {
            await DockerTestEnvironment.removeContainers(run: run, client: client)
            throw error
        }
        await DockerTestEnvironment.removeContainers(run: run, client: client)
    }

    @Test func nameConflictsAndUnknownContainersAreTypedErrors() async throws {
        let client = try DockerTestEnvironment.client()
        let run = UUID().uuidString.lowercased()
        let spec = DockerContainerSpec(
            name: "mlopskit-test-\(run.prefix(8))", image: DockerTestEnvironment.image, command: ["true"],
            labels: [DockerTestEnvironment.testLabel: run], networkMode: "host")
        _ = try await client.createContainer(spec)
        await #expect { try await client.createContainer(spec) } throws: { ($0 as? DockerError)?.isConflict == true }
        await #expect { try await client.startContainer("mlopskit-no-such-container") } throws: {
            ($0 as? DockerError)?.isNotFound == true
        }
        await #expect { try await client.createContainer(DockerContainerSpec(name: "mlopskit-test-\(run.prefix(8))-x", image: "mlopskit-no-such-image:1")) } throws: {
            ($0 as? DockerError)?.isNotFound == true
        }
        await DockerTestEnvironment.removeContainers(run: run, client: client)
    }

    @Test func anEventArrivesWhenAContainerIsKilledFromOutside() async throws {
        let client = try DockerTestEnvironment.client()
        let run = UUID().uuidString.lowercased()
        let id = try await client.createContainer(DockerContainerSpec(
            name: "mlopskit-test-\(run.prefix(8))", image: DockerTestEnvironment.image, command: ["sleep", "300"],
            labels: [DockerTestEnvironment.testLabel: run, ServingLabels.serve: "true"], networkMode: "host"))
        let events = try await client.events(DockerEventFilter(
            types: ["container"], actions: ["start", "die"], labels: [DockerTestEnvironment.testLabel: run]))
        let watcher = Task {
            var seen: [DockerEvent] = []
            for try await event in events {
                seen.append(event)
                if event.action == "die" { break }
            }
            return seen
        }
        try await client.startContainer(id)
        #expect(try await DockerTestEnvironment.dockerCLI(["kill", id]) == 0)
        let timeout = Task {
            try await Task.sleep(for: .seconds(30))
            watcher.cancel()
        }
        let seen = try await watcher.value
        timeout.cancel()
        #expect(seen.map(\.action) == ["start", "die"])
        #expect(seen.last?.actorID == id)
        #expect(seen.last?.exitCode == 137)
        #expect(seen.last?.labels[DockerTestEnvironment.testLabel] == run)
        await DockerTestEnvironment.removeContainers(run: run, client: client)
    }

    @Test func followsLogsUntilCancelled() async throws {
        let client = try DockerTestEnvironment.client()
        let run = UUID().uuidString.lowercased()
        let id = try await client.createContainer(DockerContainerSpec(
            name: "mlopskit-test-\(run.prefix(8))", image: DockerTestEnvironment.image,
            command: ["sh", "-c", "i=0; while true; do echo line $i; echo err $i >&2; i=$((i+1)); sleep 0.1; done"],
            labels: [DockerTestEnvironment.testLabel: run], networkMode: "host"))
        try await client.startContainer(id)
        let frames = try await client.followLogs(id, tail: nil)
        var stdout: [String] = []
        var stderr = 0
        for try await frame in frames {
            if frame.stream == .stderr { stderr += 1 } else { stdout.append(String(decoding: frame.payload, as: UTF8.self)) }
            if stdout.count >= 3 { break }
        }
        #expect(stdout.prefix(3) == ["line 0\n", "line 1\n", "line 2\n"])
        #expect(stderr >= 2)
        await DockerTestEnvironment.removeContainers(run: run, client: client)
    }

    @Test func buildsAnImageFromATarContext() async throws {
        let client = try DockerTestEnvironment.client()
        let run = UUID().uuidString.lowercased()
        let tag = "mlopskit-test-build-\(run.prefix(8)):latest"
        var context = TarArchive()
        try context.addFile("Dockerfile", contents: Data("""
            FROM \(DockerTestEnvironment.image)
            COPY greeting.txt /greeting.txt
            CMD ["cat", "/greeting.txt"]

            """.utf8))
        try context.addFile("greeting.txt", contents: Data("hello from the build context\n".utf8))
        let lines = LineCollector()
        let result = try await client.buildImage(
            tag: tag, context: .bytes(context.finished()), labels: ["mlopskit_test": run], progress: { lines.append($0) })
        #expect(result.imageID?.hasPrefix("sha256:") == true)
        #expect(lines.all.contains { $0.contains("COPY greeting.txt") })
        let image = try await client.inspectImage(tag)
        #expect(image.labels["mlopskit_test"] == run)

        let id = try await client.createContainer(DockerContainerSpec(
            name: "mlopskit-test-\(run.prefix(8))", image: tag, labels: [DockerTestEnvironment.testLabel: run],
            networkMode: "host"))
        try await client.startContainer(id)
        var output = ""
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            output = try await client.logs(id)
            if !output.isEmpty { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(output == "hello from the build context\n")
        await DockerTestEnvironment.removeContainers(run: run, client: client)
        try await client.removeImage(tag, force: true)
    }

    @Test func aFailingBuildIsATypedError() async throws {
        let client = try DockerTestEnvironment.client()
        let tag = "mlopskit-test-build-\(UUID().uuidString.prefix(8).lowercased())"
        var context = TarArchive()
        try context.addFile("Dockerfile", contents: Data("FROM \(DockerTestEnvironment.image)\nCOPY missing.txt /x\n".utf8))
        let failure = await dockerError { () async throws(DockerError) in _ = try await client.buildImage(tag: tag, context: .bytes(context.finished())) }
        guard case .buildFailed(let image, let message)? = failure else {
            Issue.record("expected a build failure, got \(String(describing: failure))")
            return
        }
        #expect(image == tag)
        #expect(message.contains("missing.txt"))
        #expect(try await client.imageExists(tag) == false)
    }

    @Test func anUnreachableSocketIsUnavailableNamingThePath() async throws {
        let path = "/tmp/mlopskit-no-docker-\(UUID().uuidString.prefix(8)).sock"
        let client = DockerEngineClient(configuration: .init(host: try DockerHost(parsing: "unix://\(path)")))
        let socketFailure = await dockerError { () async throws(DockerError) in try await client.ping() }
        #expect(socketFailure?.unavailableHost == "unix://\(path)", "\(String(describing: socketFailure))")
        let runtime = DockerServingRuntime(client: client)
        do {
            _ = try await runtime.instances(matching: ServingLabels.selector)
            Issue.record("listing succeeded")
        } catch ServingRuntimeError.unavailable(let reason) {
            #expect(reason.contains(path))
        }
        // A TCP port where nothing listens.
        let port = try DockerTestEnvironment.freePort()
        let tcp = DockerEngineClient(configuration: .init(host: try DockerHost(parsing: "tcp://127.0.0.1:\(port)")))
        let tcpFailure = await dockerError { () async throws(DockerError) in try await tcp.ping() }
        #expect(tcpFailure?.unavailableHost == "tcp://127.0.0.1:\(port)", "\(String(describing: tcpFailure))")
    }
}

/// The error `body` throws, `nil` when it succeeds.
func dockerError(_ body: () async throws(DockerError) -> Void) async -> DockerError? {
    do {
        try await body()
        return nil
    } catch {
        return error
    }
}

extension DockerError {
    /// The host of an ``unavailable(host:reason:)`` error.
    var unavailableHost: String? {
        if case .unavailable(let host, _) = self { return host }
        return nil
    }
}

/// Collects build output lines from the progress callback.
final class LineCollector: @unchecked Sendable {  // Guarded by the lock.
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}
