import Foundation

/// Runs `Tests/Fixtures/hostile_http_server.py` on a free 127.0.0.1 port: a server that answers each
/// request path with one hostile response (malformed chunk sizes and Content-Lengths, status lines
/// that are not HTTP, a 10 MB header field, bodies and heads cut short, resets, stalls, garbage, an endless
/// body). It exits when this object is released or ``stop()`` is called.
public final class HostileHTTPServer: @unchecked Sendable {  // Immutable after init apart from the Process.
    /// The hostile answers, by the path's first segment.
    public enum Mode: String, CaseIterable, Sendable, CustomStringConvertible {
        case chunkNegative = "chunk-negative"
        case chunkPlus = "chunk-plus"
        case chunkHuge = "chunk-huge"
        case chunkGarbage = "chunk-garbage"
        case lengthNegative = "length-negative"
        case lengthHuge = "length-huge"
        case lengthConflict = "length-conflict"
        case statusDigits = "status-digits"
        case statusGarbage = "status-garbage"
        case hugeHeader = "huge-header"
        case truncated
        case headCut = "head-cut"
        case reset
        case stall
        case garbage
        case endlessChunked = "endless-chunked"

        public var description: String { rawValue }
    }

    public let port: Int
    public let baseURL: URL
    private let process: Process
    private let input: Pipe

    public struct DidNotStart: Error, CustomStringConvertible {
        public var detail: String
        public var description: String { "hostile HTTP server did not start: \(detail)" }
    }

    public static var scriptURL: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/hostile_http_server.py")
    }

    /// - Parameter stallSeconds: How long `/stall` stays silent before closing.
    public init(stallSeconds: Double = 30) throws {
        guard let fixture = try PythonFixture.start(script: Self.scriptURL, arguments: ["--stall", "\(stallSeconds)"]) else {
            throw DidNotStart(detail: "no port printed")
        }
        self.process = fixture.process
        self.input = fixture.input
        let text = fixture.firstLine
        guard text.hasPrefix("port "), let port = Int(text.dropFirst(5)),
            let url = URL(string: "http://127.0.0.1:\(port)")
        else { throw DidNotStart(detail: text) }
        self.port = port
        self.baseURL = url
    }

    /// The URL whose requests get `mode`'s answer; `suffix` is appended (a client's own path).
    public func url(_ mode: Mode, suffix: String = "") -> URL {
        URL(string: "\(baseURL.absoluteString)/\(mode.rawValue)\(suffix)") ?? baseURL
    }

    public func stop() {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    deinit { stop() }
}
