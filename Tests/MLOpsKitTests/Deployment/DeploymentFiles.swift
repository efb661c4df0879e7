import Foundation
import MLOpsKitTestSupport
import Testing

/// What the deployment file tests share: the repository's files, the tools that check them, and a YAML
/// reader (the services venv's PyYAML through `Tests/Fixtures/yaml_to_json.py`).
///
/// The tools are optional on a developer's machine (the tests that need them are skipped) and required
/// where `MLOPSKIT_REQUIRE_SERVICES=1` (CI), where a missing one fails the test.
enum DeploymentFiles {
    static let environment = ProcessInfo.processInfo.environment

    static var required: Bool { environment["MLOPSKIT_REQUIRE_SERVICES"] == "1" }

    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func url(_ path: String) -> URL { repositoryRoot.appendingPathComponent(path) }

    static func text(_ path: String) throws -> String {
        try String(contentsOf: url(path), encoding: .utf8)
    }

    static func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: url(path).path)
    }

    struct MissingTool: Error, CustomStringConvertible {
        var name: String
        var hint: String
        var description: String { "\(name) is required (MLOPSKIT_REQUIRE_SERVICES=1) but not found: \(hint)" }
    }

    /// The services venv's Python when it has PyYAML (scripts/python-env installs it with mlflow).
    static let python: String? = {
        let venv = environment["MLOPSKIT_SERVICES_VENV"].map { URL(fileURLWithPath: $0) }
            ?? repositoryRoot.appendingPathComponent(".venv-services")
        let python = venv.appendingPathComponent("bin/python").path
        return FileManager.default.isExecutableFile(atPath: python) ? python : nil
    }()

    /// `name` from the environment variable `override`, the services venv or `PATH`.
    static func tool(_ name: String, override: String) -> String? {
        if let path = environment[override], !path.isEmpty { return path }
        var directories = [repositoryRoot.appendingPathComponent(".venv-services/bin").path]
        directories += (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        return directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static let promtool = tool("promtool", override: "MLOPSKIT_PROMTOOL")
    static let hadolint = tool("hadolint", override: "MLOPSKIT_HADOLINT")

    /// The YAML document at `path` (relative to the repository) as JSON objects, arrays and scalars.
    static func yaml(_ path: String) async throws -> Any {
        guard let python else { throw MissingTool(name: "the services venv", hint: "run scripts/python-env") }
        let (status, output) = try await run(
            python, [url("Tests/Fixtures/yaml_to_json.py").path, url(path).path])
        try #require(status == 0, "\(path) is not valid YAML:\n\(output)")
        return try JSONSerialization.jsonObject(with: Data(output.utf8))
    }

    /// Runs a program to the end; returns its exit status and its output and error output together.
    static func run(_ executable: String, _ arguments: [String]) async throws -> (Int32, String) {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mlopskit-deployment-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outputURL = directory.appendingPathComponent("output")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = repositoryRoot
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try await process.runUntilExit()
        try output.close()
        return (process.terminationStatus, String(decoding: try Data(contentsOf: outputURL), as: UTF8.self))
    }

    /// The executable products Package.swift declares.
    static func executableProducts() throws -> Set<String> {
        let manifest = try text("Package.swift")
        return Set(matches(of: #"\.executable\(\s*name:\s*"([^"]+)""#, in: manifest))
    }

    /// The apt packages Package.swift's system libraries name as providers.
    static func aptProviders() throws -> Set<String> {
        let manifest = try text("Package.swift")
        let lists = matches(of: #"\.apt\(\[([^\]]*)\]\)"#, in: manifest)
        return Set(lists.flatMap { matches(of: #""([^"]+)""#, in: $0) })
    }

    /// The first capture group of every match of `pattern` in `text`.
    static func matches(of pattern: String, in text: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        return regex.matches(in: text, range: range).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}
