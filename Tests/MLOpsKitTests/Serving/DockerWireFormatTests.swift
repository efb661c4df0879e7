import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

@Suite("Docker wire formats: log frames, JSON lines, events, inspect")
struct DockerWireFormatTests {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/docker")

    private func frame(_ stream: UInt8, _ text: String) -> [UInt8] {
        let payload = Array(text.utf8)
        let length = UInt32(payload.count)
        return [stream, 0, 0, 0, UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)]
            + payload
    }

    @Test func demultiplexesFramesInOrder() {
        let bytes = frame(1, "out 1\n") + frame(2, "err 1\n") + frame(1, "out 2\n") + frame(1, "")
        let frames = DockerLogDemultiplexer.demultiplex(bytes)
        #expect(frames.map(\.stream) == [.stdout, .stderr, .stdout, .stdout])
        #expect(String(decoding: frames.flatMap(\.payload), as: UTF8.self) == "out 1\nerr 1\nout 2\n")
    }

    @Test func demultiplexesAcrossPieceBoundaries() {
        let big = String(repeating: "x", count: 70_000)
        let bytes = frame(2, "short") + frame(1, big) + frame(1, "tail\n")
        // Feed one byte, then odd-sized pieces, including a split inside a header.
        var demultiplexer = DockerLogDemultiplexer()
        var frames: [DockerLogDemultiplexer.Frame] = []
        var offset = 0
        for size in [1, 4, 7, 3, 1000, 65_536, 10_000] where offset < bytes.count {
            let end = min(bytes.count, offset + size)
            frames += demultiplexer.feed(bytes[offset..<end])
            offset = end
        }
        frames += demultiplexer.feed(bytes[offset...])
        #expect(frames.count == 3)
        #expect(frames[0] == .init(stream: .stderr, payload: Array("short".utf8)))
        #expect(frames[1].payload.count == 70_000)
        #expect(demultiplexer.pendingByteCount == 0)
        // An incomplete frame waits for the rest.
        var partial = DockerLogDemultiplexer()
        #expect(partial.feed(frame(1, "abc").dropLast()).isEmpty)
        #expect(partial.pendingByteCount == 10)
    }

    @Test func splitsJSONLines() {
        var splitter = JSONLineSplitter()
        #expect(splitter.feed(Array("{\"a\":1}\r\n{\"b\"".utf8)) == [Array("{\"a\":1}".utf8)])
        #expect(splitter.feed(Array(":2}\n\n  \n{\"c\":3}".utf8)) == [Array("{\"b\":2}".utf8)])
        #expect(splitter.finish() == [Array("{\"c\":3}".utf8)])
        #expect(splitter.finish().isEmpty)
    }

    @Test func decodesRecordedEngineEvents() throws {
        let text = try String(contentsOf: Self.fixtures.appendingPathComponent("events-engine-20.10.jsonl"), encoding: .utf8)
        var splitter = JSONLineSplitter()
        let events = try splitter.feed(Array(text.utf8)).map { try JSONDecoder().decode(DockerEvent.self, from: Data($0)) }
        #expect(events.map(\.action) == ["create", "start", "kill", "die", "destroy"])
        let die = events[3]
        #expect(die.type == "container")
        #expect(die.actorID.hasPrefix("dad9e1d70779"))
        #expect(die.exitCode == 137)
        #expect(die.labels == [
            "mlflow_serve": "true", "mlflow_model": "iris", "mlflow_alias": "Production", "mlflow_port": "5000",
            "mlflow_version": "3",
        ])
        #expect(die.timeNano == 1_795_945_416_696_189_023)

        let serving = events.compactMap(DockerServingRuntime.servingEvent(from:))
        #expect(serving.map(\.kind) == [.started, .exited(exitCode: 137), .removed])
        #expect(serving.allSatisfy { $0.key == ServingKey(model: "iris", alias: "Production") })
        #expect(serving.allSatisfy { $0.instanceID == die.actorID })
    }

    @Test func decodesEventsWithoutTheLegacyFields() throws {
        // Newer Engines drop "status", "id" and "from"; "time" alone when "timeNano" is missing.
        let line = #"{"Type":"container","Action":"oom","Actor":{"ID":"abc","Attributes":{"mlflow_serve":"true","name":"x","image":"i"}},"scope":"local","time":1700000000}"#
        let event = try JSONDecoder().decode(DockerEvent.self, from: Data(line.utf8))
        #expect(event.action == "oom")
        #expect(event.actorID == "abc")
        #expect(event.labels == ["mlflow_serve": "true"])
        #expect(event.timeNano == 1_700_000_000_000_000_000)
        #expect(DockerServingRuntime.servingEvent(from: event)?.kind == .outOfMemory)
        let health = DockerEvent(type: "container", action: "health_status: healthy", actorID: "abc")
        #expect(DockerServingRuntime.servingEvent(from: health) == nil)
    }

    @Test func decodesARecordedInspect() throws {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("inspect-exited-engine-20.10.json"))
        let container = try JSONDecoder().decode(DockerContainer.self, from: data)
        #expect(container.name == "ev1")
        #expect(container.image == "mlopskit-test-busybox:latest")
        #expect(container.command == ["sleep", "100"])
        #expect(container.state.status == "exited")
        #expect(container.state.exitCode == 137)
        #expect(container.networkMode == "host")
        #expect(container.restartPolicy == "no")
        #expect(container.tty == false)
        let started = try #require(container.state.startedAt)
        // 2026-11-29T09:43:36.118783616Z
        #expect(abs(started.timeIntervalSince1970 - 1_795_945_416.118783616) < 0.001)

        let runtime = DockerServingRuntime(client: DockerEngineClient())
        let instance = runtime.instance(from: container)
        #expect(instance.state == .exited(exitCode: 137))
        #expect(instance.key == ServingKey(model: "iris", alias: "Production"))
        #expect(instance.version == "3")
        #expect(instance.endpoint == URL(string: "http://127.0.0.1:5000"), "host network: loopback and the label's port")
        #expect(instance.processID == nil)
    }

    @Test func timestamps() {
        #expect(DockerTimestamp.parse("0001-01-01T00:00:00Z") == nil)
        #expect(DockerTimestamp.parse("") == nil)
        #expect(DockerTimestamp.parse("2024-01-02T03:04:05Z")?.timeIntervalSince1970 == 1_704_164_645)
        let nanos = DockerTimestamp.parse("2024-01-02T03:04:05.5Z")?.timeIntervalSince1970
        #expect(nanos == 1_704_164_645.5)
    }

    @Test func sinceIsSecondsAndNineDigitsOfNanoseconds() {
        #expect(DockerEngineClient.timestamp(Date(timeIntervalSince1970: 1_704_164_645)) == "1704164645.000000000")
        #expect(DockerEngineClient.timestamp(Date(timeIntervalSince1970: 1_704_164_645.25)) == "1704164645.250000000")
        #expect(DockerEngineClient.timestamp(Date(timeIntervalSince1970: 7.000_001)) == "7.000001000")
    }
}
