import Foundation

/// `Tests/Fixtures/stand_in_model_server.py` on a free 127.0.0.1 port: the scoring protocol of
/// `mlflow models serve` (`/ping`, `/invocations`, `/version`) answered at once, plus the echo and
/// streaming endpoints the gateway's tests use. Stopped by ``stop()`` or when released.
public final class StandInModelServer: @unchecked Sendable {  // Immutable after init apart from the Process.
    public let port: Int
    public let endpoint: URL
    public let version: String
    private let process: Process

    /// Starts one serving `version` of `model`; `behaviour` is the fixture's per-version behaviour
    /// (`"reset"`, `"slow:5"`, `"fail-after:1"` …).
    public init(model: String = "m", version: String = "1", behaviour: String? = nil) throws {
        let script = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/stand_in_model_server.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "0", model, version]
        if let behaviour {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("stand-in-\(UUID().uuidString).json")
            try JSONSerialization.data(withJSONObject: [version: behaviour]).write(to: file)
            process.environment = ProcessInfo.processInfo.environment.merging(["STAND_IN_BEHAVIOUR": file.path]) { $1 }
        }
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var text = ""
        var port: Int?
        while port == nil {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on 127.0.0.1:") }) {
                port = Int(line.split(separator: ":").last ?? "")
            }
        }
        guard let port, let endpoint = URL(string: "http://127.0.0.1:\(port)") else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            throw Failure(description: "the stand-in model server did not start: \(text)")
        }
        self.port = port
        self.endpoint = endpoint
        self.version = version
        self.process = process
    }

    public var isRunning: Bool { process.isRunning }

    /// Stops the server and waits (a while) until it has exited.
    public func stop() async {
        // SIGKILL: a child of the test process inherits its blocked signals, SIGTERM among them.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }
}
