import Foundation
import MLOpsKitTestSupport
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// `CurlTransport` against `Tests/Fixtures/hostile_http_server.py`: every hostile answer ends in a typed
/// ``HTTPTransportError`` with a known code (or, for the endless body streamed, a stream the caller can
/// end), within the request's timeout, for each destination: memory, a file (no file or temporary file
/// left behind) and a streamed body.
///
/// The cases run one after another: the endless body and the stalls would otherwise compete with the
/// short cases for the one fixture process and the machine, and a 3 s timeout would measure that.
@Suite("CurlTransport against a hostile HTTP server", .serialized)
struct CurlHostileServerTests {
    typealias Mode = HostileHTTPServer.Mode

    /// Where the response body goes.
    enum Destination: String, CaseIterable, Sendable, CustomStringConvertible {
        case memory, file, stream
        var description: String { rawValue }
    }

    /// One server for the whole suite; `/stall` stays silent for 30 s, far longer than any request's
    /// timeout here.
    static let server: HostileHTTPServer? = try? HostileHTTPServer(stallSeconds: 30)

    /// The request timeout: every case ends well before it but `/stall` and the endless file download,
    /// which it ends.
    static let timeout: Duration = .seconds(3)

    /// What each hostile answer must end in.
    static func expectedCode(_ mode: Mode, _ destination: Destination) -> HTTPTransportError.Code {
        switch mode {
        // libcurl: "Illegal or missing hexadecimal sequence" / "Too long hexadecimal number" in
        // chunked-encoding (CURLE_RECV_ERROR).
        case .chunkNegative, .chunkPlus, .chunkHuge, .chunkGarbage: .connectionLost
        // "Invalid Content-Length" (CURLE_WEIRD_SERVER_REPLY): a malformed response, reported as a
        // broken connection like every malformed response.
        case .lengthNegative: .connectionLost
        // Beyond 64 bits: refused as a body larger than can be received.
        case .lengthHuge: .responseTooLarge
        // Refused at the end of the head: libcurl alone takes the last field (10) and reads a 200.
        case .lengthConflict: .connectionLost
        // Not an HTTP/1.x status line (libcurl's "HTTP/0.9", not allowed): malformed too.
        case .statusDigits, .statusGarbage, .garbage: .connectionLost
        case .hugeHeader: .responseTooLarge
        // libcurl itself takes a head cut short for a whole response with status 200.
        case .truncated, .headCut, .reset: .connectionLost
        case .stall: .timedOut
        // In memory the 1 MiB limit is hit; to a file, the timeout ends it.
        case .endlessChunked: destination == .memory ? .responseTooLarge : .timedOut
        }
    }

    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mlopskit-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Sends to `mode`'s path and returns the error, checking the elapsed time.
    private func failure(_ mode: Mode, _ destination: Destination, directory: URL) async throws -> HTTPTransportError? {
        let server = try #require(Self.server, "the hostile HTTP server did not start")
        let transport = CurlTransport()
        let url = server.url(mode)
        let clock = ContinuousClock()
        let started = clock.now
        defer {
            // The request's own timeout bounds every case. The margin is for a loaded machine, where the
            // task waits for a thread after the transfer ended; a hang would last the 30 s stall or forever.
            #expect(clock.now - started < Self.timeout + .seconds(15), "\(mode) \(destination) took \(clock.now - started)")
        }
        do {
            switch destination {
            case .memory:
                let response = try await transport.send(
                    TransportRequest(url: url, responseDestination: .memory(limit: 1 << 20), timeout: Self.timeout))
                Issue.record("\(mode) to memory answered \(response.status) with \(response.body.count) bytes")
            case .file:
                let response = try await transport.send(
                    TransportRequest(
                        url: url, responseDestination: .file(directory.appendingPathComponent("download.bin")),
                        timeout: Self.timeout))
                Issue.record("\(mode) to a file answered \(response.status)")
            case .stream:
                let response = try await transport.stream(TransportRequest(url: url, timeout: Self.timeout))
                var received = 0
                for try await chunk in response.body { received += chunk.count }
                Issue.record("\(mode) streamed answered \(response.status) with \(received) bytes and ended")
            }
            return nil
        } catch let error as HTTPTransportError {
            return error
        }
    }

    @Test(arguments: Mode.allCases, Destination.allCases)
    func hostileAnswerEndsInATypedError(_ mode: Mode, _ destination: Destination) async throws {
        // The endless body, streamed, is the caller's to end: its own test below.
        if mode == .endlessChunked && destination == .stream { return }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = try await failure(mode, destination, directory: directory)
        let expected = Self.expectedCode(mode, destination)
        #expect(error?.code == expected, "\(mode) \(destination): \(error.map { "\($0)" } ?? "no error")")
        #expect(error?.redactedURL.contains(mode.rawValue) == true)
        // Nothing is left behind: no file, no temporary file beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == [])
    }

    @Test func endlessStreamedBodyEndsWhenTheCallerStopsReading() async throws {
        let server = try #require(Self.server, "the hostile HTTP server did not start")
        let transport = CurlTransport()
        let response = try await transport.stream(TransportRequest(url: server.url(.endlessChunked)))
        #expect(response.status == 200)
        let clock = ContinuousClock()
        let started = clock.now
        let bytes = try await response.collect(limit: 4 << 20)
        #expect(bytes.count == 4 << 20)
        #expect(bytes.allSatisfy { $0 == UInt8(ascii: "x") })
        #expect(clock.now - started < .seconds(10))
        // The transfer ended with the stream: the same transport still answers.
        let next = try await transport.send(
            TransportRequest(url: try #require(URL(string: "\(server.baseURL.absoluteString)/ok")), timeout: Self.timeout))
        #expect(next.status == 200)
    }

    @Test func endlessStreamedBodyEndsWhenItsTaskIsCancelled() async throws {
        let server = try #require(Self.server, "the hostile HTTP server did not start")
        let transport = CurlTransport()
        let reader = Task {
            let response = try await transport.stream(TransportRequest(url: server.url(.endlessChunked)))
            var received = 0
            for try await chunk in response.body { received += chunk.count }
            return received
        }
        try await Task.sleep(for: .milliseconds(500))
        let clock = ContinuousClock()
        let cancelledAt = clock.now
        reader.cancel()
        let outcome = await reader.result
        #expect(clock.now - cancelledAt < .seconds(5))
        // Cancelled while it reads, the body stream simply ends (an `AsyncThrowingStream` returns nil to a
        // cancelled task); cancelled before the head arrived, `stream(_:)` throws `CancellationError`.
        switch outcome {
        case .success(let received): #expect(received > 0)
        case .failure(let error): #expect(error is CancellationError, "\(error)")
        }
        // The engine is not stuck feeding the abandoned transfer: the same transport answers at once.
        let next = try await transport.send(
            TransportRequest(url: try #require(URL(string: "\(server.baseURL.absoluteString)/ok")), timeout: Self.timeout))
        #expect(next.status == 200)
    }

    /// The server refuses nothing else: a well-formed answer from the same fixture is read normally.
    @Test func wellFormedAnswerFromTheFixtureIsRead() async throws {
        let server = try #require(Self.server, "the hostile HTTP server did not start")
        let response = try await CurlTransport().send(
            TransportRequest(url: try #require(URL(string: "\(server.baseURL.absoluteString)/ok")), timeout: Self.timeout))
        #expect(response.status == 200)
        #expect(response.bodyText == "ok")
    }

    /// A hostile answer does not poison the transport: after every case in turn, one transport still
    /// sends a good request.
    @Test func transportStaysUsableAfterEveryHostileAnswer() async throws {
        let server = try #require(Self.server, "the hostile HTTP server did not start")
        let transport = CurlTransport()
        for mode in Mode.allCases where mode != .stall && mode != .endlessChunked {
            await #expect(throws: HTTPTransportError.self, "\(mode)") {
                try await transport.send(TransportRequest(url: server.url(mode), timeout: Self.timeout))
            }
        }
        let response = try await transport.send(
            TransportRequest(url: try #require(URL(string: "\(server.baseURL.absoluteString)/ok")), timeout: Self.timeout))
        #expect(response.status == 200)
    }
}
