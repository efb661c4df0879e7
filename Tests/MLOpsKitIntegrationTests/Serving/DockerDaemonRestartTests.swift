import Foundation
import MLOpsKitTestSupport
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsMLflow
@testable import MLOpsServing

/// A Docker daemon that stops and starts again over the same data root: containers keep their IDs and
/// clients reach them again. The test runs a dockerd of its own through `scripts/docker-up` and
/// `scripts/docker-down` in a services directory of its own, so the shared test Engine is left alone.
@Suite("Docker daemon restart", .enabled(if: DockerTestEnvironment.enabled))
struct DockerDaemonRestartTests {
    @discardableResult
    private func script(_ name: String, directory: URL, keepData: Bool = false) async throws -> String {
        try await DockerTestEnvironment.script(name, directory: directory, keepData: keepData)
    }

    @Test func containersKeepTheirIDsAcrossADaemonRestart() async throws {
        let directory = URL(fileURLWithPath: "/tmp/mlopskit-dr-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let host = try DockerHost(parsing: try await script("docker-up", directory: directory))
            let first = DockerEngineClient(configuration: .init(host: host))
            let run = UUID().uuidString.lowercased()
            let port = try DockerTestEnvironment.freePort()
            let serving = try await first.createContainer(DockerContainerSpec(
                name: "mlopskit-restart-serving", image: DockerTestEnvironment.image,
                command: DockerTestEnvironment.httpdCommand(port: port), labels: [DockerTestEnvironment.testLabel: run],
                restartPolicy: .no, networkMode: "host"))
            let idle = try await first.createContainer(DockerContainerSpec(
                name: "mlopskit-restart-idle", image: DockerTestEnvironment.image, command: ["true"],
                labels: [DockerTestEnvironment.testLabel: run], networkMode: "host"))
            try await first.startContainer(serving)
            #expect(await DockerTestEnvironment.waitForOK(URL(string: "http://127.0.0.1:\(port)/ping")!) == 200)
            let before = Set(try await first.containers(labels: [DockerTestEnvironment.testLabel: run]).map(\.id))
            #expect(before == [serving, idle])

            // A follower of the event stream learns that the daemon went away: its stream ends or throws.
            let events = try await first.events(DockerEventFilter(types: ["container"]))
            let follower = Task { () -> Bool in
                do {
                    for try await _ in events {}
                } catch {}
                return true
            }
            try await script("docker-down", directory: directory)
            let watchdog = Task {
                try await Task.sleep(for: .seconds(30))
                follower.cancel()
            }
            #expect(await follower.value && !follower.isCancelled, "the event stream ended with the daemon")
            watchdog.cancel()
            let whileDown = await dockerError { () async throws(DockerError) in try await first.ping() }
            #expect(whileDown?.unavailableHost == host.description, "\(String(describing: whileDown))")

            let restartedHost = try DockerHost(parsing: try await script("docker-up", directory: directory, keepData: true))
            let second = DockerEngineClient(configuration: .init(host: restartedHost))
            let after = Set(try await second.containers(labels: [DockerTestEnvironment.testLabel: run]).map(\.id))
            #expect(after == before)
            // The old client reaches the new daemon too: every request opens its own connection.
            try await first.ping()
            try await second.startContainer(serving)
            #expect(await DockerTestEnvironment.waitForOK(URL(string: "http://127.0.0.1:\(port)/ping")!) == 200)
            #expect(try await second.inspectContainer(serving).state.running)
        } catch {
            _ = try? await script("docker-down", directory: directory)
            throw error
        }
        try await script("docker-down", directory: directory)
    }
}
