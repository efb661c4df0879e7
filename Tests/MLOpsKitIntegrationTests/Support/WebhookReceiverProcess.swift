import Foundation

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// Runs `Tests/Fixtures/webhook_receiver.py` on 127.0.0.1 for one test: it records every delivery
/// (headers and raw body) to a JSONL file and answers 200. The receiver exits when this object is
/// released, since it stops when its stdin closes.
final class WebhookReceiverProcess: @unchecked Sendable {  // Immutable after init apart from the Process.
    /// One recorded request.
    struct Delivery: Sendable {
        var path: String
        var headers: TransportHeaders
        var body: Data
    }

    let port: Int
    let recordURL: URL
    private let process: Process
    private let input: Pipe

    struct DidNotStart: Error, CustomStringConvertible {
        var description: String { "the webhook receiver printed no port" }
    }

    init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlopskit-webhooks-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        recordURL = directory.appendingPathComponent("deliveries.jsonl")
        let process = Process()
        process.executableURL = IntegrationEnvironment.servicesVenv.appendingPathComponent("bin/python")
        process.arguments = [
            IntegrationEnvironment.repositoryRoot.appendingPathComponent("Tests/Fixtures/webhook_receiver.py").path,
            "--record", recordURL.path,
        ]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        self.process = process
        self.input = input
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw DidNotStart() }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("port "), let port = Int(text.dropFirst(5)) else { throw DidNotStart() }
        self.port = port
    }

    deinit {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: recordURL.deletingLastPathComponent())
    }

    /// The URL deliveries for `path` go to.
    func url(path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Every delivery recorded so far, in arrival order.
    func deliveries() throws -> [Delivery] {
        guard let data = try? Data(contentsOf: recordURL) else { return [] }
        return try data.split(separator: UInt8(ascii: "\n")).filter { !$0.isEmpty }.map { line in
            let record = try JSONDecoder().decode(Record.self, from: Data(line))
            return Delivery(
                path: record.path,
                headers: TransportHeaders(record.headers.map { ($0[0], $0[1]) }),
                body: Data(base64Encoded: record.bodyBase64) ?? Data())
        }
    }

    /// Waits until at least `count` deliveries to `path` have arrived (or `timeout` passes) and returns
    /// those deliveries.
    func waitForDeliveries(to path: String, count: Int, timeout: Duration = .seconds(60)) async throws -> [Delivery] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let matching = try deliveries().filter { $0.path == path }
            if matching.count >= count || ContinuousClock.now >= deadline { return matching }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    private struct Record: Decodable {
        var path: String
        var headers: [[String]]
        var bodyBase64: String

        enum CodingKeys: String, CodingKey {
            case path, headers
            case bodyBase64 = "body_base64"
        }
    }
}
