import Foundation
import MLOpsKit

/// Runs `Tests/Fixtures/fault_proxy.py` between a client and a real loopback server: it passes requests
/// through, or injects the fault set with ``setMode(_:after:count:methods:)`` (connection resets
/// mid-response, truncated bodies, stalls, 5xx storms, garbage). It exits when this object is released
/// or ``stop()`` is called.
public final class FaultProxy: @unchecked Sendable {  // Immutable after init apart from the Process.
    public enum Mode: String, CaseIterable, Sendable, CustomStringConvertible {
        case pass, reset, truncate, stall, error, garbage
        public var description: String { rawValue }
    }

    /// The counters of the proxy's control endpoint.
    public struct Stats: Decodable, Sendable, CustomStringConvertible {
        public var mode: String
        public var requests: Int
        public var faults: Int
        public var passed: Int
        public var description: String { "\(mode): \(requests) requests, \(faults) faulted, \(passed) passed" }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The proxy's address, to use in place of the upstream's.
    public let url: URL
    public let port: Int
    private let controlURL: URL
    private let process: Process
    private let input: Pipe
    private let transport = CurlTransport()

    public static var scriptURL: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/fault_proxy.py")
    }

    /// - Parameters:
    ///   - upstream: The real server's URL (`http://127.0.0.1:PORT`, loopback only); its path is ignored.
    ///   - stallSeconds: How long a stalled request stays silent.
    public init(upstream: URL, stallSeconds: Double = 30) throws {
        guard let host = upstream.host, let port = upstream.port else {
            throw Failure(description: "fault proxy: upstream \(upstream) has no host and port")
        }
        guard
            let fixture = try PythonFixture.start(
                script: Self.scriptURL, arguments: ["--upstream", "\(host):\(port)", "--stall", "\(stallSeconds)"])
        else { throw Failure(description: "fault proxy did not start") }
        self.process = fixture.process
        self.input = fixture.input
        let words = fixture.firstLine.split(whereSeparator: \.isWhitespace)
        guard words.count == 4, words[0] == "port", words[2] == "control", let proxyPort = Int(words[1]),
            let controlPort = Int(words[3]), let url = URL(string: "http://127.0.0.1:\(proxyPort)"),
            let controlURL = URL(string: "http://127.0.0.1:\(controlPort)")
        else { throw Failure(description: "fault proxy printed \(fixture.firstLine)") }
        self.url = url
        self.port = proxyPort
        self.controlURL = controlURL
    }

    /// From now on: pass the next `after` requests (of `methods`, all when nil) through, then fault
    /// `count` of them (every one when nil), then pass again.
    public func setMode(_ mode: Mode, after: Int = 0, count: Int? = nil, methods: [String]? = nil) async throws {
        var query = "name=\(mode.rawValue)&after=\(after)"
        if let count { query += "&count=\(count)" }
        if let methods { query += "&methods=\(methods.joined(separator: ","))" }
        try await control("/mode?\(query)")
    }

    public func stats() async throws -> Stats {
        try JSONDecoder().decode(Stats.self, from: try await control("/stats"))
    }

    /// Sets the counters to zero.
    public func resetCounters() async throws {
        try await control("/reset")
    }

    @discardableResult
    private func control(_ path: String) async throws -> Data {
        guard let url = URL(string: controlURL.absoluteString + path) else {
            throw Failure(description: "fault proxy: bad control path \(path)")
        }
        let response = try await transport.send(TransportRequest(url: url, timeout: .seconds(10)))
        guard response.status == 200 else {
            throw Failure(description: "fault proxy control \(path): \(response.status) \(response.bodyText)")
        }
        return response.body
    }

    public func stop() {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    deinit { stop() }
}
