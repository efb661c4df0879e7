import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

@Suite("Streamed responses of CurlTransport")
struct CurlStreamingTests {
    private struct Count: Decodable { var count: Int }

    private func lines(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test(arguments: TransportKind.allCases)
    func streamsAChunkedBodyToItsEnd(_ kind: TransportKind) async throws {
        let server = TestHTTPServer.shared
        let transport = kind.make()
        let response = try await transport.stream(TransportRequest(url: server.url("/chunked/end-\(UUID())/5/20")))
        #expect(response.status == 200)
        #expect(response.headers["transfer-encoding"] == "chunked")
        var received: [UInt8] = []
        var chunks = 0
        for try await chunk in response.body {
            received += chunk
            chunks += 1
        }
        #expect(lines(received) == (0..<5).map { "chunk \($0)" })
        #expect(chunks >= 2, "the body arrived as it was written, not in one piece")
    }

    @Test(arguments: TransportKind.allCases)
    func headArrivesBeforeAnyBodyByte(_ kind: TransportKind) async throws {
        let server = TestHTTPServer.shared
        let transport = kind.make()
        // The first chunk comes after 3 s; the head is there at once.
        let clock = ContinuousClock()
        let started = clock.now
        let response = try await transport.stream(TransportRequest(url: server.url("/chunked/head-\(UUID())/1/3000")))
        let headAfter = clock.now - started
        #expect(response.status == 200)
        var iterator = response.body.makeAsyncIterator()
        let first = try await iterator.next()
        #expect(first.map { String(decoding: $0, as: UTF8.self) } == "chunk 0\n")
        #expect(clock.now - started > headAfter)
    }

    @Test(arguments: TransportKind.allCases)
    func streamsOverAUnixSocketWithoutTheRequestTimeout(_ kind: TransportKind) async throws {
        let server = TestHTTPServer.sharedUnixSocket
        let transport = kind.make(requestTimeout: .milliseconds(300))
        // 4 chunks 150 ms apart outlast the 300 ms total timeout, which streams do not use.
        let response = try await transport.stream(TransportRequest(url: server.url("/chunked/unix-\(UUID())/4/150")))
        let text = try await response.collect()
        #expect(lines(text) == (0..<4).map { "chunk \($0)" })
    }

    @Test(arguments: TransportKind.allCases)
    func aRequestTimeoutStillEndsAStream(_ kind: TransportKind) async throws {
        let server = TestHTTPServer.shared
        let response = try await kind.make().stream(
            TransportRequest(url: server.url("/chunked/timeout-\(UUID())/0/100"), timeout: .milliseconds(500)))
        await #expect(throws: HTTPTransportError.self) {
            for try await _ in response.body {}
        }
    }

    @Test(arguments: TransportKind.allCases)
    func errorStatusesAreStreamedToo(_ kind: TransportKind) async throws {
        let server = TestHTTPServer.shared
        let response = try await kind.make().stream(TransportRequest(url: server.url("/status/404")))
        #expect(response.status == 404)
        #expect(String(decoding: try await response.collect(), as: UTF8.self).contains("404"))
    }

    @Test(arguments: TransportKind.allCases)
    func connectionRefusedThrowsBeforeTheHead(_ kind: TransportKind) async throws {
        await #expect(throws: HTTPTransportError.self) {
            _ = try await kind.make().stream(
                TransportRequest(url: URL(string: "http://x/_ping")!, unixSocketPath: "/nonexistent/mlopskit.sock"))
        }
    }

    /// Polls the server's counter of clients that went away from an endless stream.
    private func waitForClose(_ key: String, transport: any HTTPTransport) async throws -> Int {
        let server = TestHTTPServer.shared
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let response = try await transport.send(TransportRequest(url: server.url("/count/closed-\(key)")))
            let count = try JSONDecoder().decode(Count.self, from: response.body).count
            if count > 0 { return count }
            try await Task.sleep(for: .milliseconds(100))
        }
        return 0
    }

    @Test(arguments: TransportKind.allCases)
    func cancellingTheConsumingTaskEndsTheTransfer(_ kind: TransportKind) async throws {
        let server = TestHTTPServer.shared
        let transport = kind.make()
        let key = "cancel-\(UUID())"
        let (progress, reported) = AsyncStream<Int>.makeStream()
        let consumer = Task {
            let response = try await transport.stream(TransportRequest(url: server.url("/chunked/\(key)/0/50")))
            var count = 0
            for try await _ in response.body {
                count += 1
                reported.yield(count)
            }
            return count
        }
        // Cancel once two chunks have arrived.
        for await count in progress where count == 2 { break }
        consumer.cancel()
        let outcome = await consumer.result
        if case .success(let count) = outcome { #expect(count >= 2) }
        #expect(try await waitForClose(key, transport: transport) == 1)
    }

    @Test(arguments: TransportKind.allCases)
    func droppingTheBodyEndsTheTransfer(_ kind: TransportKind) async throws {
        let server = TestHTTPServer.shared
        let transport = kind.make()
        let key = "drop-\(UUID())"
        do {
            let response = try await transport.stream(TransportRequest(url: server.url("/chunked/\(key)/0/50")))
            var iterator = response.body.makeAsyncIterator()
            _ = try await iterator.next()
        }
        #expect(try await waitForClose(key, transport: transport) == 1)
    }

    @Test(arguments: TransportKind.allCases)
    func cancellingBeforeTheHeadThrowsCancellation(_ kind: TransportKind) async throws {
        let server = TestHTTPServer.shared
        let transport = kind.make()
        let task = Task {
            try await transport.stream(TransportRequest(url: server.url("/delay/5000")))
        }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
    }

    @Test(arguments: TransportKind.allCases)
    func plainRequestsKeepWorkingBesideAStream(_ kind: TransportKind) async throws {
        let server = TestHTTPServer.shared
        let transport = kind.make()
        let response = try await transport.stream(TransportRequest(url: server.url("/chunked/beside-\(UUID())/3/200")))
        let plain = try await transport.send(TransportRequest(url: server.url("/status/204")))
        #expect(plain.status == 204)
        #expect(lines(try await response.collect()).count == 3)
    }
}
