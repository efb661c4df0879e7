import Foundation
import MLOpsKitTestSupport
import Prometheus
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// The whole `/metrics` exposition, with realistic data (the gateway's request metrics too), passes `promtool check metrics` (format and lint).
@Suite struct MetricsExpositionPromtoolTests {
    /// promtool on PATH (Debian's `prometheus` package), or `MLOPSKIT_PROMTOOL`.
    static let promtool: String? = {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["MLOPSKIT_PROMTOOL"], !path.isEmpty { return path }
        for directory in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/promtool"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    static var required: Bool { ProcessInfo.processInfo.environment["MLOPSKIT_REQUIRE_SERVICES"] == "1" }

    struct MissingPromtool: Error, CustomStringConvertible {
        var description: String { "promtool is not on PATH (apt-get install prometheus, or set MLOPSKIT_PROMTOOL)" }
    }

    @Test(.enabled(if: promtool != nil || required, "promtool is not installed"))
    func fullExpositionPassesPromtool() async throws {
        let promtool = try #require(Self.promtool.map(Optional.some) ?? nil, "\(MissingPromtool())")
        let exporterRegistry = PrometheusCollectorRegistry()
        let agentRegistry = PrometheusCollectorRegistry()
        let exporter = RegistryExporterMetrics(registry: exporterRegistry, aliases: ["Production", "Staging"])
        let metrics = AutoserveMetrics(registry: agentRegistry, runtime: "process")
        exporter.update(from: AutoserveFixtures.snapshot)
        let iris = ServingKey(model: "iris", alias: "Production")
        metrics.registryRead(AutoserveFixtures.snapshot, duration: .milliseconds(12))
        metrics.reconcileFinished(duration: .milliseconds(40), error: nil)
        metrics.rolloutFinished(key: iris, version: "3", succeeded: true, duration: .seconds(9), propagation: .seconds(11))
        metrics.instanceRestarted(key: iris, version: "3")
        metrics.statusesChanged([
            AutoserveFixtures.status("iris", desired: "3", serving: "3"),
            AutoserveFixtures.status("wine", state: .progressing, desired: "2", serving: "1"),
        ])
        metrics.recordWebhookEvent("model_version_alias.created", result: .accepted)
        metrics.recordWebhookEvent(nil, result: .rejectedStale)
        // The gateway's request metrics share the agent's registry.
        let gateway = GatewayMetrics(registry: agentRegistry)
        let target = UpstreamTarget(key: iris, instanceID: "i-1", version: "3", endpoint: URL(string: "http://127.0.0.1:5001")!)
        for (method, handler, status) in [("POST", "/invocations", 200), ("POST", "/invocations", 502), ("GET", "/ping", 200), ("POST", "/invocations", 0)] {
            gateway.requestStarted(on: target)
            gateway.requestFinished(GatewayRequestRecord(
                target: target, model: "iris", alias: "Production", method: method, handler: handler, status: status,
                duration: .milliseconds(30), requestBytes: 120, responseBytes: 40))
        }
        gateway.upstreamConnectFailed(target)
        gateway.upstreamFailed(target, kind: .timeout)
        gateway.requestFinished(GatewayRequestRecord(
            target: nil, model: "", alias: "", method: "GET", handler: "none", status: 404,
            duration: .milliseconds(1), requestBytes: 0, responseBytes: 0))
        let text = MetricsExposition(registries: [exporterRegistry, agentRegistry]).renderString()

        let (status, output) = try await Self.run(promtool, ["check", "metrics"], input: text)
        #expect(status == 0, "promtool check metrics failed (\(status)):\n\(output)\n--- exposition ---\n\(text)")
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "promtool reported: \(output)")
    }

    static func run(_ executable: String, _ arguments: [String], input: String) async throws -> (Int32, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("promtool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputURL = directory.appendingPathComponent("metrics.prom")
        let outputURL = directory.appendingPathComponent("output")
        try Data(input.utf8).write(to: inputURL)
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let inputHandle = try FileHandle(forReadingFrom: inputURL)
        let outputHandle = try FileHandle(forWritingTo: outputURL)
        process.standardInput = inputHandle
        process.standardOutput = outputHandle
        process.standardError = outputHandle
        try await process.runUntilExit()
        try inputHandle.close()
        try outputHandle.close()
        return (process.terminationStatus, String(decoding: try Data(contentsOf: outputURL), as: UTF8.self))
    }
}
