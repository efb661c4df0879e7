import Foundation
import Logging
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// The JSON-lines and plain-text log handlers.
@Suite struct StructuredLogHandlerTests {
    static let fixedTime: @Sendable () -> Int64 = { 1_780_000_000_250 }

    func jsonLogger(_ output: MemoryLogOutput, level: Logger.Level = .info) -> Logger {
        Logger(label: "autoserve") { JSONLogHandler(label: $0, level: level, output: output, now: Self.fixedTime) }
    }

    func object(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func jsonLinesCarryTimeLevelMessageAndFlattenedMetadata() throws {
        let output = MemoryLogOutput()
        var logger = jsonLogger(output)
        logger[metadataKey: "agent"] = "a1"
        logger.info(
            "replace \"iris\"\nnow", metadata: ["model": "iris", "nested": ["a": "1", "b": ["c": "2"]], "list": ["x", "y"]])
        logger.debug("dropped at info level")
        #expect(output.lines.count == 1)
        let line = try #require(output.lines.first)
        #expect(!line.contains("\n"))
        let json = try object(line)
        #expect(json["ts"] as? String == "2026-05-28T20:26:40.250Z")
        #expect(json["level"] as? String == "info")
        #expect(json["logger"] as? String == "autoserve")
        #expect(json["message"] as? String == "replace \"iris\"\nnow")
        #expect(json["model"] as? String == "iris")
        #expect(json["agent"] as? String == "a1")
        #expect(json["nested.a"] as? String == "1")
        #expect(json["nested.b.c"] as? String == "2")
        #expect(json["list"] as? [String] == ["x", "y"])
    }

    @Test func reservedKeysAreNotOverwritten() throws {
        let output = MemoryLogOutput()
        jsonLogger(output).warning("hello", metadata: ["message": "other", "level": "x", "ctl": "\u{1}"])
        let json = try object(try #require(output.lines.first))
        #expect(json["message"] as? String == "hello")
        #expect(json["level"] as? String == "warning")
        #expect(json["metadata.message"] as? String == "other")
        #expect(json["metadata.level"] as? String == "x")
        #expect(json["ctl"] as? String == "\u{1}")
    }

    @Test func timestampsAreUTCWithMilliseconds() {
        #expect(LogTimestamp.rfc3339(millisecondsSince1970: 0) == "1970-01-01T00:00:00.000Z")
        #expect(LogTimestamp.rfc3339(millisecondsSince1970: 951_782_400_007) == "2000-02-29T00:00:00.007Z")
        #expect(LogTimestamp.rfc3339(millisecondsSince1970: -1) == "1969-12-31T23:59:59.999Z")
    }

    @Test func textLinesAreReadable() {
        let output = MemoryLogOutput()
        let logger = Logger(label: "autoserve") { TextLogHandler(label: $0, output: output, now: Self.fixedTime) }
        logger.info("keep iris@Production v3", metadata: ["model": "iris", "reason": "already serving"])
        #expect(
            output.lines == [
                #"2026-05-28T20:26:40.250Z info     keep iris@Production v3 model=iris reason="already serving""#
            ])
    }

    @Test func decisionsLogOneLineEach() throws {
        let output = MemoryLogOutput()
        let observer = AutoserveLogObserver(logger: jsonLogger(output))
        let key = ServingKey(model: "iris", alias: "Production")
        observer.decided(AutoserveDecision(action: .replace, key: key, fromVersion: "3", toVersion: "4", reason: "alias moved"))
        observer.decided(AutoserveDecision(action: .keep, key: key, fromVersion: "4", reason: "up to date"))
        observer.rolloutFinished(key: key, version: "4", succeeded: true, duration: .seconds(12), propagation: .seconds(13))
        #expect(output.lines.count == 2, "keep decisions log at debug level")
        let decision = try object(output.lines[0])
        #expect(decision["message"] as? String == "replace iris@Production v3 → v4: alias moved")
        #expect(decision["action"] as? String == "replace")
        #expect(decision["model"] as? String == "iris")
        #expect(decision["alias"] as? String == "Production")
        #expect(decision["from_version"] as? String == "3")
        #expect(decision["to_version"] as? String == "4")
        #expect(decision["reason"] as? String == "alias moved")
        let rollout = try object(output.lines[1])
        #expect(rollout["outcome"] as? String == "success")
        #expect(rollout["propagation_ms"] as? String == "13000")
    }
}
