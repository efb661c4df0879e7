import Foundation
import Testing

/// Serving and Autoserve read the time only through `ServingClock` (docs/ARCHITECTURE.md, "Where time
/// comes from"): a direct read of a real clock there would make a test wait for real seconds, or make
/// it flaky. This checks the sources, so that a new direct read fails here rather than in a slow test.
@Suite struct TimeSourceTests {
    static let modules = ["Sources/MLOpsServing", "Sources/MLOpsAutoserve"]
    static let adapter = "ServingClock.swift"
    static let directReads = [
        "ContinuousClock", "SuspendingClock", "Date()", "Date.now", "Task.sleep", "clock: .continuous", "DispatchTime",
        "clock_gettime", "gettimeofday",
    ]

    /// Whether `line` holds `read` as a name of its own (`Date()`, not `lastSuccessfulSyncDate()`).
    static func line(_ line: String, reads read: String) -> Bool {
        var rest = line[...]
        while let range = rest.range(of: read) {
            let before = rest[..<range.lowerBound].last ?? line[..<range.lowerBound].last
            if !(before.map { $0.isLetter || $0.isNumber || $0 == "_" } ?? false) { return true }
            rest = rest[range.upperBound...]
        }
        return false
    }

    @Test func aNameThatEndsLikeADirectReadIsNotOne() {
        #expect(Self.line("let now = Date()", reads: "Date()"))
        #expect(Self.line("(Date())", reads: "Date()"))
        #expect(!Self.line("public func lastSuccessfulSyncDate() -> Date?", reads: "Date()"))
        #expect(Self.line("x.lastDate() + Date()", reads: "Date()"))
        #expect(Self.line("try await Task.sleep(for: .seconds(1))", reads: "Task.sleep"))
    }

    @Test func servingAndAutoserveReadTheTimeOnlyThroughServingClock() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        var scanned = 0
        var offences: [String] = []
        for module in Self.modules {
            let directory = root.appendingPathComponent(module)
            let files = try #require(FileManager.default.enumerator(atPath: directory.path), "no \(module) folder")
            for case let file as String in files where file.hasSuffix(".swift") {
                scanned += 1
                if file.hasSuffix(Self.adapter) { continue }
                let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
                for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let code = line.trimmingCharacters(in: .whitespaces)
                    if code.hasPrefix("//") { continue }
                    for read in Self.directReads where Self.line(code, reads: read) {
                        offences.append("\(module)/\(file):\(number + 1): \(read)")
                    }
                }
            }
        }
        #expect(scanned > 50, "expected the serving and autoserve sources, found \(scanned) files")
        #expect(offences.isEmpty, "direct clock reads outside \(Self.adapter):\n\(offences.joined(separator: "\n"))")
    }
}
