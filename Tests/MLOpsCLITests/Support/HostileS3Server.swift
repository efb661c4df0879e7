import Foundation

/// Runs `Tests/Fixtures/s3_hostile_listing_server.py`: a fake S3 server whose listings hold the given
/// keys, including keys no real test server stores (`..`, `.` and empty segments). It logs every
/// request, and exits when this object is released or ``stop()`` is called.
final class HostileS3Server: @unchecked Sendable {  // Immutable after init apart from the Process.
    let url: String
    let log: URL
    private let process: Process
    private let input: Pipe

    struct DidNotStart: Error, CustomStringConvertible {
        var detail: String
        var description: String { "fake S3 server did not start: \(detail)" }
    }

    init(keys: [String]) throws {
        let script = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/s3_hostile_listing_server.py")
        log = FileManager.default.temporaryDirectory.appendingPathComponent("mlops-s3-fake-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--log", log.path] + keys
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
            if chunk.isEmpty { throw DidNotStart(detail: "no port printed") }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("port "), let port = Int(text.dropFirst(5)) else { throw DidNotStart(detail: text) }
        url = "http://127.0.0.1:\(port)"
    }

    /// The requests served so far, as `METHOD /path` lines.
    var requests: [String] {
        ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: log)
    }

    deinit { stop() }
}
