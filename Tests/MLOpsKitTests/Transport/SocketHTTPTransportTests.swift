import Foundation
import Testing

@testable import MLOpsKit

/// What only ``SocketHTTPTransport`` does; what it shares with ``CurlTransport`` is tested against
/// both in CurlTransportTests and CurlStreamingTests.
@Suite("SocketHTTPTransport")
struct SocketHTTPTransportTests {
    @Test func anIdleTransferIsTooSlow() async throws {
        let server = TestHTTPServer.shared
        var configuration = SocketHTTPTransport.Configuration()
        configuration.idleTimeout = .milliseconds(500)
        let error = await #expect(throws: HTTPTransportError.self) {
            try await SocketHTTPTransport(configuration: configuration).send(TransportRequest(url: server.url("/delay/3000")))
        }
        #expect(error?.code == .tooSlow)
    }

    @Test func httpsIsRefusedAsInvalidAndNamesTheAlternative() async throws {
        let request = TransportRequest(url: URL(string: "https://mlflow.example.com/api/2.0/mlflow/experiments/search")!)
        #expect(!SocketHTTPTransport.canSend(request))
        let error = await #expect(throws: HTTPTransportError.self) { try await SocketHTTPTransport().send(request) }
        #expect(error?.code == .invalidRequest)
        #expect(error?.detail.contains("libcurl") == true)
    }

    @Test func anUnresolvableHostIsTyped() async throws {
        let error = await #expect(throws: HTTPTransportError.self) {
            try await SocketHTTPTransport().send(TransportRequest(url: URL(string: "http://no-such-host.invalid/x")!))
        }
        #expect(error?.code == .couldNotResolveHost)
    }

    @Test func aRegionDownloadFillsItsPartOfTheFile() async throws {
        let server = TestHTTPServer.shared
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mlopskit-region-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(repeating: 0xEE, count: 300).write(to: file)
        let response = try await SocketHTTPTransport().send(
            TransportRequest(url: server.url("/bytes/100"), responseDestination: .fileRegion(file, offset: 100)))
        #expect(response.status == 200)
        let data = try Data(contentsOf: file)
        #expect(data.count == 300)
        #expect(data.prefix(100).allSatisfy { $0 == 0xEE } && data.suffix(100).allSatisfy { $0 == 0xEE })
        #expect(data[100..<200].enumerated().allSatisfy { $0.element == UInt8($0.offset % 251) })
    }

    @Test func routesPlainHTTPToSocketsAndTheRestToLibcurl() {
        let plain = TransportRequest(url: URL(string: "http://127.0.0.1:5000/health")!)
        let unix = TransportRequest(url: URL(string: "http://localhost/_ping")!, unixSocketPath: "/run/docker.sock")
        let tls = TransportRequest(url: URL(string: "https://mlflow.example.com/health")!)
        let noProxy = HTTPTransportRouting(environment: [:])
        #expect(noProxy.usesSockets(for: plain) && noProxy.usesSockets(for: unix) && !noProxy.usesSockets(for: tls))
        let proxied = HTTPTransportRouting(environment: ["http_proxy": "http://proxy:3128", "NO_PROXY": "internal.example"])
        #expect(!proxied.usesSockets(for: TransportRequest(url: URL(string: "http://mlflow.example.com/health")!)))
        #expect(proxied.usesSockets(for: plain), "loopback is never proxied")
        #expect(proxied.usesSockets(for: TransportRequest(url: URL(string: "http://mlflow.internal.example/health")!)))
        #expect(proxied.usesSockets(for: unix))
    }
}

@Suite("HTTPResponseDecoder")
struct HTTPResponseDecoderTests {
    private func decode(_ pieces: [String], head: Bool = false) throws -> (HTTPResponseDecoder.Head?, String, Bool) {
        var decoder = HTTPResponseDecoder(isHeadRequest: head)
        var body: [UInt8] = []
        var complete = false
        for piece in pieces {
            let output = try decoder.feed(Array(piece.utf8))
            body += output.body
            complete = complete || output.isComplete
        }
        return (decoder.head, String(decoding: body, as: UTF8.self), complete || decoder.isComplete)
    }

    @Test func contentLengthAcrossAnyPieceBoundaries() throws {
        let text = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\nX-A:  b \r\n\r\nhello world"
        for split in 1..<text.utf8.count {
            let bytes = Array(text.utf8)
            let (head, body, complete) = try decode(
                [String(decoding: bytes[..<split], as: UTF8.self), String(decoding: bytes[split...], as: UTF8.self)])
            #expect(head?.status == 200 && head?.headers["x-a"] == "b")
            #expect(body == "hello world" && complete, "split at \(split)")
        }
    }

    @Test func chunkedWithExtensionsAndTrailers() throws {
        let (head, body, complete) = try decode([
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=x\r\nhel", "lo\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n",
        ])
        #expect(head?.status == 200)
        #expect(body == "hello world")
        #expect(complete)
    }

    @Test func interimResponsesAreSkipped() throws {
        let (head, body, _) = try decode(["HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"])
        #expect(head?.status == 201 && body == "ok")
    }

    @Test func headAnd204HaveNoBody() throws {
        #expect(try decode(["HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"], head: true).2)
        #expect(try decode(["HTTP/1.1 204 No Content\r\n\r\n"]).2)
    }

    @Test func aBodyWithoutLengthEndsAtClose() throws {
        var decoder = HTTPResponseDecoder()
        let output = try decoder.feed(Array("HTTP/1.0 200 OK\r\n\r\nstream".utf8))
        #expect(String(decoding: output.body, as: UTF8.self) == "stream" && !output.isComplete)
        try decoder.finish()
        #expect(decoder.isComplete)
    }

    @Test func malformedResponsesAreNamed() throws {
        #expect(throws: HTTPResponseDecoder.Malformed(reason: "the status line is not HTTP/1.x")) {
            try decode(["SSH-2.0-OpenSSH_9.2\r\n\r\n"])
        }
        #expect(throws: HTTPResponseDecoder.Malformed(reason: "Content-Length is not a number")) {
            try decode(["HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n"])
        }
        #expect(throws: HTTPResponseDecoder.Malformed(reason: "a chunk size is not a hexadecimal number")) {
            try decode(["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"])
        }
        var cut = HTTPResponseDecoder()
        _ = try cut.feed(Array("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc".utf8))
        #expect(throws: HTTPResponseDecoder.Malformed(reason: "the body was cut short")) { try cut.finish() }
    }
}
