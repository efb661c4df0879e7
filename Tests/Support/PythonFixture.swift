import Foundation

/// A Python fixture of `Tests/Fixtures` started as a child process: its standard input is a pipe whose
/// closing tells it to stop, and its first line of output says where it listens.
struct PythonFixture {
    let process: Process
    let input: Pipe
    /// The first line the fixture printed, without the line break.
    let firstLine: String

    /// Starts `python3 script arguments…` and waits for its first line of output; `nil` when the fixture
    /// exited without printing one.
    static func start(script: URL, arguments: [String]) throws -> PythonFixture? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path] + arguments
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { return nil }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return PythonFixture(process: process, input: input, firstLine: text)
    }
}
