import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

@Suite("Process runtime: /proc, command lines and log tails")
struct ProcessRuntimeSupportTests {
    @Test func statFieldsAreCountedFromTheLastParenthesis() throws {
        // A command name may hold spaces and parentheses.
        let line = "4242 (odd ) name) S 1 4242 4242 0 -1 4194560 123 0 0 0 1 2 0 0 20 0 1 0 987654 1000 200 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0"
        let status = try #require(ProcessTable.parseStat(Array(line.utf8)))
        #expect(status.state == UInt8(ascii: "S"))
        #expect(status.startTicks == 987654)
        #expect(status.parent == 1)
        #expect(status.group == 4242)
        #expect(!status.isZombie)
        let zombie = try #require(ProcessTable.parseStat(Array("7 (x) Z 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 55 0 0".utf8)))
        #expect(zombie.isZombie)
        #expect(zombie.hasEnded)
        #expect(zombie.startTicks == 55)
        // A leader thread that ended while another thread still runs.
        let ending = try #require(ProcessTable.parseStat(Array("7 (x) Z 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 2 0 55".utf8)))
        #expect(ending.isZombie)
        #expect(!ending.hasEnded)
        #expect(ending.threads == 2)
        #expect(ProcessTable.parseStat(Array("7 (x) S 1".utf8)) == nil)
    }

    @Test func ownStatusMatchesTheKernel() throws {
        let status = try #require(ProcessTable.status(getpid()))
        #expect(status.state != UInt8(ascii: "Z"))
        #expect(ProcessTable.observe(getpid(), startTicks: status.startTicks) == .running)
        // Same process ID, another start time: not the process that was recorded.
        #expect(ProcessTable.observe(getpid(), startTicks: status.startTicks + 1) == .exited(exitCode: nil))
        #expect(ProcessTable.status(-1) == nil)
    }

    @Test func waitStatusesBecomeExitCodes() {
        #expect(ProcessTable.exitCode(fromWaitStatus: 0) == 0)
        #expect(ProcessTable.exitCode(fromWaitStatus: 3 << 8) == 3)
        #expect(ProcessTable.exitCode(fromWaitStatus: SIGKILL) == 137)
        #expect(ProcessTable.exitCode(fromWaitStatus: SIGTERM) == 143)
    }

    @Test func placeholdersAreFilledInOnePass() {
        let rendered = CommandTemplate.render(
            ["mlflow", "-m", "{model_uri}", "-p", "{port}", "--tag={model}@{alias}", "{unknown}", "{", "a{port"],
            values: ["model_uri": "models:/m/3", "port": "5001", "model": "{port}", "alias": "Production"])
        #expect(rendered == ["mlflow", "-m", "models:/m/3", "-p", "5001", "--tag={port}@Production", "{unknown}", "{", "a{port"])
    }

    @Test func defaultCommandServesTheExactVersionWithTheLocalEnvironment() {
        let spec = ServingSpec(key: ServingKey(model: "iris", alias: "Production"), version: "7")
        let rendered = CommandTemplate.render(
            ProcessServingConfiguration.defaultCommand,
            values: ["model_uri": spec.versionModelURI, "port": "5001", "env_manager": ProcessServingConfiguration().envManager])
        #expect(rendered == ["mlflow", "models", "serve", "-m", "models:/iris/7", "-h", "127.0.0.1", "-p", "5001", "--env-manager", "local"])
    }

    @Test func executablesAreFoundInTheSearchPath() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlopskit-exec-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tool = directory.appendingPathComponent("tool").path
        let plain = directory.appendingPathComponent("plain").path
        _ = FileManager.default.createFile(atPath: tool, contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755])
        _ = FileManager.default.createFile(atPath: plain, contents: Data(), attributes: [.posixPermissions: 0o644])
        #expect(CommandTemplate.resolve("tool", searchPath: ["/nonexistent", directory.path]) == tool)
        #expect(CommandTemplate.resolve("plain", searchPath: [directory.path]) == nil)
        #expect(CommandTemplate.resolve(tool, searchPath: []) == tool)
        #expect(CommandTemplate.resolve("missing-tool", searchPath: [directory.path]) == nil)
        #expect(CommandTemplate.resolve("", searchPath: [directory.path]) == nil)
    }

    @Test func logTailsReadOnlyTheLastLines() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mlopskit-tail-\(UUID().uuidString.prefix(8)).log").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(LogFileTail.read(path, lines: 5) == "")
        // About 1 MB (16 blocks of 64 KiB), so that tails span block boundaries.
        let lines = (0..<30_000).map { "line \($0) " + String(repeating: "x", count: $0 % 50) }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        #expect(LogFileTail.read(path, lines: 1) == lines.last! + "\n")
        #expect(LogFileTail.read(path, lines: 3) == lines.suffix(3).joined(separator: "\n") + "\n")
        #expect(LogFileTail.read(path, lines: 5000) == lines.suffix(5000).joined(separator: "\n") + "\n")
        #expect(LogFileTail.read(path, lines: 0) == "")
        #expect(LogFileTail.read(path, lines: nil).count == lines.joined(separator: "\n").count + 1)
        #expect(LogFileTail.read(path, lines: 40_000) == LogFileTail.read(path, lines: nil))
        // A last line without a newline counts as a line.
        try Data("a\nb\nc".utf8).write(to: URL(fileURLWithPath: path))
        #expect(LogFileTail.read(path, lines: 2) == "b\nc")
        #expect(LogFileTail.read(path, lines: 1) == "c")
    }

    /// Rotation copies the log to `<log>.1` and empties it in place: a writer that opened it before
    /// (with `O_APPEND`, as model servers' output is) goes on from its new start, leaving no hole.
    @Test func logRotationKeepsThePreviousPartAndEmptiesTheLogInPlace() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mlopskit-rotate-\(UUID().uuidString.prefix(8)).log").path
        let rotated = ProcessStateDirectory.rotatedLogPath(path)
        defer {
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: rotated)
        }
        #expect(rotated == path + ".1")
        #expect(try !ProcessStateDirectory.rotateLog(path, maxBytes: 10), "no log: nothing to rotate")
        let writer = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        try #require(writer >= 0)
        defer { close(writer) }
        func append(_ text: String) { _ = text.withCString { write(writer, $0, strlen($0)) } }
        let first = (0..<100).map { "first \($0)\n" }.joined()
        append(first)
        #expect(try !ProcessStateDirectory.rotateLog(path, maxBytes: Int64(first.utf8.count)), "not over the size")
        #expect(try ProcessStateDirectory.rotateLog(path, maxBytes: 100))
        #expect(try String(contentsOfFile: rotated, encoding: .utf8) == first)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).isEmpty)
        append("second\n")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second\n", "appended at the new start")
        // A second rotation replaces the kept part.
        append(String(repeating: "y", count: 200) + "\n")
        #expect(try ProcessStateDirectory.rotateLog(path, maxBytes: 100))
        #expect(try String(contentsOfFile: rotated, encoding: .utf8) == "second\n" + String(repeating: "y", count: 200) + "\n")
        #expect(!FileManager.default.fileExists(atPath: rotated + ".partial"))
    }

    @Test func portsAreFreeLoopbackPorts() throws {
        let port = try #require(LoopbackPort.allocate())
        #expect((1024...65535).contains(port))
        #expect(LoopbackPort.isFree(port))
        #expect(!LoopbackPort.isFree(0))
    }

    @Test func instanceIDsAreSafeFileNames() {
        let id = ProcessStateDirectory.newID()
        #expect(id.count == 16)
        #expect(ProcessStateDirectory.isValidID(id))
        #expect(!ProcessStateDirectory.isValidID("../x"))
        #expect(!ProcessStateDirectory.isValidID(""))
        #expect(!ProcessStateDirectory.isValidID("ABC"))
    }

    @Test func configurationDescriptionNamesNoSecretValues() {
        let configuration = ProcessServingConfiguration(
            stateDirectory: "/tmp/x", environment: ["AWS_SECRET_ACCESS_KEY": "very-secret-value"])
        #expect(configuration.description.contains("AWS_SECRET_ACCESS_KEY"))
        #expect(!configuration.description.contains("very-secret-value"))
    }
}
