import Foundation
import MLOpsKitTestSupport
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing

/// Where the SigV4 tests find the shared test vectors and the Python services environment.
///
/// The vectors live in the `shared` folder beside the repository (`<repo>/../shared/vectors`); they are
/// read in place and never copied into the project.
enum SigV4TestSupport {
    static let environment = ProcessInfo.processInfo.environment

    /// The repository root, above Tests/MLOpsKitTests/S3/Signing/ (this file's folder).
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// `<repo>/../shared/vectors`.
    static let sharedVectors: URL = repositoryRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/vectors", isDirectory: true)

    static func exists(_ url: URL) -> Bool {
        FileManager.default.fileExists(atPath: url.path)
    }

    /// Whether missing vectors fail the suites rather than skip them: with `MLOPSKIT_REQUIRE_SERVICES=1`
    /// (as `scripts/test` sets) or in CI (`CI=true`), a checkout that lost its vectors must not pass
    /// quietly without the signature tests.
    static func vectorsRequired(_ environment: [String: String] = environment) -> Bool {
        environment["MLOPSKIT_REQUIRE_SERVICES"] == "1" || environment["CI"]?.lowercased() == "true"
    }

    /// Whether a vector suite runs: when its vectors are there, or when they are required (then its
    /// first test records their absence as a failure).
    static func runsVectorSuite(available: Bool, environment: [String: String] = environment) -> Bool {
        available || vectorsRequired(environment)
    }

    /// Records a failure when `url` is missing (only reached when the vectors are required); returns
    /// whether the vectors are there.
    static func requireVectors(at url: URL, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        guard exists(url) else {
            Issue.record(
                "SigV4 vectors are required (MLOPSKIT_REQUIRE_SERVICES=1 or CI=true) but missing at \(url.path)",
                sourceLocation: sourceLocation)
            return false
        }
        return true
    }

    /// The instant an ISO 8601 UTC timestamp such as `2015-08-30T12:36:00Z` or `20130524T000000Z` names.
    static func date(_ text: String) -> Date {
        let digits = text.filter(\.isNumber).map { Int(String($0))! }
        precondition(digits.count == 14, "not a timestamp: \(text)")
        func number(_ range: Range<Int>) -> Int { digits[range].reduce(0) { $0 * 10 + $1 } }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(
            year: number(0..<4), month: number(4..<6), day: number(6..<8), hour: number(8..<10),
            minute: number(10..<12), second: number(12..<14))
        return calendar.date(from: components)!
    }

    /// The example credentials of the AWS S3 API Reference.
    static let s3DocumentationCredentials = AWSCredentials(
        accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")

    /// The Python of the services virtualenv (`MLOPSKIT_SERVICES_VENV` or `<repo>/.venv-services`).
    static var servicesPython: URL {
        let venv =
            environment["MLOPSKIT_SERVICES_VENV"].map { URL(fileURLWithPath: $0) }
            ?? repositoryRoot.appendingPathComponent(".venv-services")
        return venv.appendingPathComponent("bin/python")
    }

    /// Runs `executable` with `arguments`, feeding it `input` and returning its exit status, stdout and
    /// stderr. Input and output go through temporary files, so large payloads cannot fill a pipe. The
    /// wait suspends the task instead of blocking a thread.
    static func run(_ executable: URL, _ arguments: [String], input: Data = Data()) async throws -> (
        status: Int32, stdout: Data, stderr: String
    ) {
        try await run(executable, arguments, input: input) { try await $0.runUntilExit() }
    }

    /// ``run(_:_:input:)`` for a brief command in a synchronous context (a test's enabling condition).
    static func runBlocking(_ executable: URL, _ arguments: [String]) throws -> (status: Int32, stdout: Data, stderr: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, Data(), "")
    }

    private static func run(
        _ executable: URL, _ arguments: [String], input: Data, wait: (Process) async throws -> Void
    ) async throws -> (status: Int32, stdout: Data, stderr: String) {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mlopskit-sigv4-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputURL = directory.appendingPathComponent("stdin")
        let outputURL = directory.appendingPathComponent("stdout")
        let errorURL = directory.appendingPathComponent("stderr")
        try input.write(to: inputURL)
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)

        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let stdin = try FileHandle(forReadingFrom: inputURL)
        let stdout = try FileHandle(forWritingTo: outputURL)
        let stderr = try FileHandle(forWritingTo: errorURL)
        defer {
            try? stdin.close()
            try? stdout.close()
            try? stderr.close()
        }
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try await wait(process)
        return (
            process.terminationStatus, try Data(contentsOf: outputURL),
            String(decoding: try Data(contentsOf: errorURL), as: UTF8.self)
        )
    }
}

/// A small seeded generator (SplitMix64), so generated test cases are the same on every run and machine.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
