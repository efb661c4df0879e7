import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// ``DockerServingRuntime`` through the ``ServingRuntime`` protocol, against the real dockerd of
/// `scripts/docker-up`: busybox httpd stands in for `mlflow models serve` (a command template), on the
/// host network with a free 127.0.0.1 port per instance.
@Suite("DockerServingRuntime against a real dockerd", .enabled(if: DockerTestEnvironment.enabled))
struct DockerServingRuntimeIntegrationTests {
    /// A runtime whose instances carry `mlopskit_test=<run>` and serve `/ping` with httpd.
    private func runtime(run: String, mode: DockerServingConfiguration.Mode? = nil, modelFiles: (any ModelFilesProvider)? = nil) throws -> DockerServingRuntime {
        var configuration = DockerServingConfiguration(mode: mode ?? .image(DockerTestEnvironment.image), network: "host")
        configuration.restartPolicy = .no
        configuration.commandTemplate = [
            "sh", "-c",
            "echo serving {model_uri} version {version}; echo ok > /www/ping; exec httpd -f -p {host}:{port} -h /www",
        ]
        configuration.removeGrace = .seconds(1)
        return DockerServingRuntime(client: try DockerTestEnvironment.client(), configuration: configuration, modelFiles: modelFiles)
    }

    private func spec(run: String, model: String? = nil, version: String = "1", name: String? = nil) -> ServingSpec {
        ServingSpec(
            key: ServingKey(model: model ?? "model-\(run.prefix(8))", alias: "Production"), version: version, name: name,
            environment: ["AWS_SECRET_ACCESS_KEY": "secret-\(run)"], extraLabels: [DockerTestEnvironment.testLabel: run],
            configHash: "hash-1")
    }

    private func cleanUp(_ run: String) async throws {
        await DockerTestEnvironment.removeContainers(run: run, client: try DockerTestEnvironment.client())
    }

    @Test func followsTheProtocolContract() async throws {
        let run = UUID().uuidString.lowercased()
        let runtime = try runtime(run: run)
        #expect(runtime.name == "docker")
        do {
            let spec = spec(run: run)
            let created = try await runtime.create(spec)
            #expect(created.state == .created, "create does not start")
            #expect(created.name == ServingNames.stable(for: spec.key))
            #expect(created.key == spec.key)
            #expect(created.version == "1")
            #expect(created.configHash == "hash-1")
            #expect(created.labels[ServingLabels.serve] == "true")
            #expect(created.labels[ServingLabels.image] == DockerTestEnvironment.image)
            let port = try #require(created.port)
            #expect(created.endpoint == URL(string: "http://127.0.0.1:\(port)"))

            await #expect(throws: ServingRuntimeError.nameConflict(spec.name)) { _ = try await runtime.create(spec) }

            try await runtime.start(created.id)
            try await runtime.start(created.id)  // starting a running instance succeeds
            let endpoint = try #require(created.endpoint)
            #expect(await DockerTestEnvironment.waitForOK(endpoint.appendingPathComponent("ping")) == 200)
            let running = try await runtime.inspect(created.id)
            #expect(running.state == .running)
            #expect(running.processID != nil)
            #expect(running.startedAt != nil)

            let listed = try await runtime.instances(matching: [DockerTestEnvironment.testLabel: run])
            #expect(listed.map(\.id) == [created.id])
            #expect(try await runtime.instances(matching: ServingLabels.selector).contains { $0.id == created.id })

            let logs = try await runtime.logs(created.id, tail: nil)
            #expect(logs.contains("serving models:/\(spec.key.model)/1 version 1"))
            #expect(!logs.contains("secret-"))

            try await runtime.stop(created.id, grace: .seconds(1))
            try await runtime.stop(created.id, grace: .seconds(1))  // stopping a stopped instance succeeds
            guard case .exited = try await runtime.inspect(created.id).state else {
                Issue.record("not exited after stop")
                return
            }

            let candidate = ServingNames.candidate(for: spec.key, version: "2")
            try await runtime.rename(created.id, to: candidate)
            #expect(try await runtime.inspect(created.id).name == candidate)

            // Remove stops a running instance first.
            try await runtime.start(created.id)
            try await runtime.remove(created.id)
            await #expect(throws: ServingRuntimeError.instanceNotFound(created.id)) { _ = try await runtime.inspect(created.id) }
        } catch {
            try await cleanUp(run)
            throw error
        }
        try await cleanUp(run)
    }

    @Test func unknownIDsAreInstanceNotFound() async throws {
        let runtime = try runtime(run: "none")
        let id = "mlopskit-no-such-\(UUID().uuidString.prefix(8).lowercased())"
        await #expect(throws: ServingRuntimeError.instanceNotFound(id)) { _ = try await runtime.inspect(id) }
        await #expect(throws: ServingRuntimeError.instanceNotFound(id)) { try await runtime.start(id) }
        await #expect(throws: ServingRuntimeError.instanceNotFound(id)) { try await runtime.stop(id, grace: .seconds(1)) }
        await #expect(throws: ServingRuntimeError.instanceNotFound(id)) { try await runtime.remove(id) }
        await #expect(throws: ServingRuntimeError.instanceNotFound(id)) { try await runtime.rename(id, to: id + "-x") }
        await #expect(throws: ServingRuntimeError.instanceNotFound(id)) { _ = try await runtime.logs(id, tail: 5) }
    }

    @Test func twoInstancesOnTheHostNetworkGetTheirOwnPorts() async throws {
        let run = UUID().uuidString.lowercased()
        let runtime = try runtime(run: run)
        do {
            let first = try await runtime.create(spec(run: run, version: "1"))
            let second = try await runtime.create(spec(run: run, version: "2", name: ServingNames.candidate(for: spec(run: run).key, version: "2")))
            #expect(first.port != second.port)
            try await runtime.start(first.id)
            try await runtime.start(second.id)
            for instance in [first, second] {
                let endpoint = try #require(instance.endpoint)
                #expect(await DockerTestEnvironment.waitForOK(endpoint.appendingPathComponent("ping")) == 200)
            }
        } catch {
            try await cleanUp(run)
            throw error
        }
        try await cleanUp(run)
    }

    @Test func reportsAnInstanceKilledFromOutside() async throws {
        let run = UUID().uuidString.lowercased()
        let runtime = try runtime(run: run)
        let spec = spec(run: run)
        let instance = try await runtime.create(spec)
        let endpoint = try #require(instance.endpoint).appendingPathComponent("ping")
        let (exits, exited) = AsyncStream<ServingRuntimeEvent>.makeStream()
        let watcher = Task {
            for try await event in runtime.events() where event.instanceID == instance.id {
                if case .exited = event.kind { exited.yield(event) }
            }
        }
        // The stream says nothing when it is connected, so kill until an exit is reported.
        var reported: ServingRuntimeEvent?
        for _ in 0..<5 where reported == nil {
            try await runtime.start(instance.id)
            #expect(await DockerTestEnvironment.waitForOK(endpoint) == 200)
            #expect(try await DockerTestEnvironment.dockerCLI(["kill", instance.id]) == 0)
            reported = await first(of: exits, within: .seconds(10))
        }
        watcher.cancel()
        #expect(reported?.kind == .exited(exitCode: 137))
        #expect(reported?.key == spec.key)
        #expect(reported?.labels[ServingLabels.version] == "1")
        try await cleanUp(run)
    }

    /// The next element of `stream`, or `nil` after `timeout`.
    private func first<T: Sendable>(of stream: AsyncStream<T>, within timeout: Duration) async -> T? {
        await withTaskGroup(of: T?.self) { group in
            group.addTask {
                for await element in stream { return element }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let result = await group.next() ?? nil
            group.cancelAll()
            return result
        }
    }

    @Test func perVersionImagesAreBuiltFromTheModelFiles() async throws {
        let run = UUID().uuidString.lowercased()
        let modelDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("mlopskit-model-\(run)")
        try FileManager.default.createDirectory(at: modelDirectory.appendingPathComponent("sub"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: modelDirectory) }
        try Data("artifact_path: model\nflavors: {}\n".utf8).write(to: modelDirectory.appendingPathComponent("MLmodel"))
        try Data("weights".utf8).write(to: modelDirectory.appendingPathComponent("sub/model.bin"))
        let requested = LineCollector()
        let provider = ModelDirectoryProvider { spec in
            requested.append("\(spec.key.model)/\(spec.version)")
            return modelDirectory
        }
        var configuration = DockerServingConfiguration(mode: .perVersionImage(baseImage: DockerTestEnvironment.image), network: "host")
        configuration.restartPolicy = .no
        // The image's model sits at /opt/ml/model; serve it as the web root.
        configuration.commandTemplate = ["sh", "-c", "echo ok > {model_uri}/ping; exec httpd -f -p {host}:{port} -h {model_uri}"]
        let client = try DockerTestEnvironment.client()
        let runtime = DockerServingRuntime(client: client, configuration: configuration, modelFiles: provider)
        let spec = self.spec(run: run, model: "Per Version \(run.prefix(8))", version: "3")
        let image = ServingNames.image(model: spec.key.model, version: "3")
        #expect(image == "mlflow-model-per-version-\(run.prefix(8))-v3")
        do {
            let instance = try await runtime.create(spec)
            #expect(try await client.imageExists(image))
            #expect(try await client.inspectImage(image).labels[ServingLabels.version] == "3")
            try await runtime.start(instance.id)
            let endpoint = try #require(instance.endpoint)
            #expect(await DockerTestEnvironment.waitForOK(endpoint.appendingPathComponent("ping")) == 200)
            let model = try await CurlTransport().send(TransportRequest(url: endpoint.appendingPathComponent("MLmodel")))
            #expect(model.bodyText == "artifact_path: model\nflavors: {}\n")
            let weights = try await CurlTransport().send(TransportRequest(url: endpoint.appendingPathComponent("sub/model.bin")))
            #expect(weights.bodyText == "weights")
            // A second instance of the same version reuses the image.
            _ = try await runtime.create(self.spec(run: run, model: spec.key.model, version: "3", name: ServingNames.candidate(for: spec.key, version: "3")))
            #expect(requested.all == ["\(spec.key.model)/3"])
        } catch {
            try await cleanUp(run)
            try? await client.removeImage(image, force: true)
            throw error
        }
        try await cleanUp(run)
        try await client.removeImage(image, force: true)
    }

    @Test func aMissingPerVersionImageWithoutModelFilesIsAnInvalidSpec() async throws {
        let run = UUID().uuidString.lowercased()
        let runtime = try runtime(run: run, mode: .perVersionImage(baseImage: DockerTestEnvironment.image))
        await #expect {
            _ = try await runtime.create(spec(run: run))
        } throws: { error in
            guard case ServingRuntimeError.invalidSpec(let reason) = error else { return false }
            return reason.contains("mlflow-model-model-\(run.prefix(8))-v1")
        }
    }

    @Test func aMissingImageFailsCreate() async throws {
        let run = UUID().uuidString.lowercased()
        let runtime = try runtime(run: run, mode: .image("mlopskit-no-such-image:\(run.prefix(8))"))
        await #expect {
            _ = try await runtime.create(spec(run: run))
        } throws: { error in
            guard case ServingRuntimeError.failed(_, let reason) = error else { return false }
            return reason.contains("mlopskit-no-such-image") && !reason.contains("secret-")
        }
    }
}
