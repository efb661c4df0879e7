import Foundation

/// Runs `Tests/Fixtures/http_test_server.py` on 127.0.0.1 (a free port) or on a unix socket for the
/// duration of a test. The server exits when this object is released or ``stop()`` is called.
final class TestHTTPServer: @unchecked Sendable {  // Immutable after init apart from the Process.
    let baseURL: URL
    let socketPath: String?
    private let process: Process
    private let input: Pipe

    enum Failure: Error, CustomStringConvertible {
        case didNotStart(String)
        var description: String {
            switch self { case .didNotStart(let detail): "test HTTP server did not start: \(detail)" }
        }
    }

    static var scriptURL: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/http_test_server.py")
    }

    /// - Parameter tls: A PEM certificate and key to serve HTTPS with.
    init(unixSocket: Bool = false, noDelay: Bool = false, tls: (certificate: String, key: String)? = nil) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = ["python3", TestHTTPServer.scriptURL.path]
        var socketPath: String?
        if unixSocket {
            let path = FileManager.default.temporaryDirectory
                .appendingPathComponent("mlopskit-\(UUID().uuidString.prefix(8)).sock").path
            arguments += ["--unix", path]
            socketPath = path
        }
        if noDelay { arguments.append("--nodelay") }
        if let tls { arguments += ["--tls-cert", tls.certificate, "--tls-key", tls.key] }
        process.arguments = arguments
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        self.process = process
        self.input = input
        self.socketPath = socketPath

        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw Failure.didNotStart("no address printed") }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("port "), let port = Int(text.dropFirst(5)) {
            baseURL = URL(string: "\(tls == nil ? "http" : "https")://127.0.0.1:\(port)")!
        } else if text.hasPrefix("unix "), let socketPath {
            let encoded = socketPath.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? socketPath
            baseURL = URL(string: "http+unix://\(encoded)")!
        } else {
            throw Failure.didNotStart(text)
        }
    }

    /// One server over TCP shared by every test that needs no server of its own: starting a Python
    /// process per test would load a two-core machine enough to distort the timing tests.
    static let shared: TestHTTPServer = {
        do { return try TestHTTPServer() } catch { fatalError("\(error)") }
    }()

    /// One server on a unix socket, shared like ``shared``.
    static let sharedUnixSocket: TestHTTPServer = {
        do { return try TestHTTPServer(unixSocket: true) } catch { fatalError("\(error)") }
    }()

    func url(_ path: String) -> URL {
        URL(string: baseURL.absoluteString + path)!
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        if let socketPath { try? FileManager.default.removeItem(atPath: socketPath) }
    }

    deinit { stop() }
}
