import AutoserveServer
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import MLOpsKit
import MLOpsKitTestSupport
import Synchronization
import Testing

/// The agent's HTTP server over loopback, with the project's libcurl client and raw sockets.
@Suite("Autoserve HTTP server")
struct AutoserveHTTPServerTests {
    /// Echoes the method, path, query and body; `/slow` answers after `delay`, `/large` with 8 MiB.
    static func echo(delay: Duration = .milliseconds(500)) -> AutoserveHTTPServer.Handler {
        { request in
            if request.path == "/slow" { try? await Task.sleep(for: delay) }
            if request.path == "/large" { return AutoserveHTTPResponse(status: 200, body: [UInt8](repeating: 0x61, count: 8 << 20)) }
            let query = request.query.sorted(by: { $0.key < $1.key }).map { "\($0.key)=\($0.value)" }.joined(separator: "&")
            return AutoserveHTTPResponse(
                status: 200, headers: ["Content-Type": "text/plain", "X-Method": request.method],
                body: Array("\(request.path)?\(query) \(request.body.count)".utf8) + request.body)
        }
    }

    static func url(_ server: AutoserveHTTPServer, _ path: String) -> URL {
        URL(string: "http://\(server.address ?? "")\(path)")!
    }

    static func port(_ server: AutoserveHTTPServer) -> Int {
        Int(server.address?.split(separator: ":").last ?? "") ?? 0
    }

    @Test("port 0 binds a free port on IPv4 and IPv6 loopback and reports it")
    func bindsAndReports() async throws {
        for (host, prefix) in [("127.0.0.1", "127.0.0.1:"), ("localhost", "127.0.0.1:"), ("::1", "[::1]:")] {
            let server = AutoserveHTTPServer(configuration: .init(host: host, port: 0), handler: Self.echo())
            let address = try await server.start()
            #expect(address.hasPrefix(prefix))
            #expect(Self.port(server) > 0)
            let response = try await CurlTransport().send(TransportRequest(url: Self.url(server, "/a?x=1")))
            #expect(response.status == 200)
            #expect(response.bodyText == "/a?x=1 0")
            await server.stop()
        }
    }

    @Test("a taken port, a non-numeric host and a bad port are reported")
    func startErrors() async throws {
        let first = AutoserveHTTPServer(handler: Self.echo())
        try await first.start()
        let second = AutoserveHTTPServer(configuration: .init(port: Self.port(first)), handler: Self.echo())
        await #expect(throws: HTTPServerError.self) { try await second.start() }
        await #expect(throws: HTTPServerError.invalidHost("example.org")) {
            try await AutoserveHTTPServer(configuration: .init(host: "example.org"), handler: Self.echo()).start()
        }
        await #expect(throws: HTTPServerError.invalidPort(70000)) {
            try await AutoserveHTTPServer(configuration: .init(port: 70000), handler: Self.echo()).start()
        }
        await #expect(throws: HTTPServerError.alreadyStarted) { try await first.start() }
        await first.stop()
        await second.stop()
    }

    @Test("concurrent requests, with bodies, are all answered")
    func concurrent() async throws {
        let server = AutoserveHTTPServer(handler: Self.echo())
        try await server.start()
        let transport = CurlTransport()
        let answers = try await withThrowingTaskGroup(of: (Int, TransportResponse).self) { group in
            for index in 0..<24 {
                group.addTask {
                    let body = Data("body-\(index)".utf8)
                    let request = TransportRequest(
                        method: index.isMultiple(of: 2) ? .post : .get, url: Self.url(server, "/n?i=\(index)"),
                        body: index.isMultiple(of: 2) ? .bytes(body) : .none)
                    return (index, try await transport.send(request))
                }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(answers.count == 24)
        for (index, response) in answers {
            #expect(response.status == 200)
            let expected = index.isMultiple(of: 2) ? "/n?i=\(index) \(5 + "\(index)".count)body-\(index)" : "/n?i=\(index) 0"
            #expect(response.bodyText == expected)
            #expect(response.headers["X-Method"] == (index.isMultiple(of: 2) ? "POST" : "GET"))
        }
        await server.stop()
    }

    @Test("keep-alive: several requests on one connection, pipelined ones in order; HTTP/1.0 and Connection: close end it")
    func keepAlive() async throws {
        let server = AutoserveHTTPServer(handler: Self.echo())
        try await server.start()
        let connection = try RawHTTPConnection(port: Self.port(server))
        connection.write("GET /one HTTP/1.1\r\nHost: x\r\n\r\n")
        let first = await connection.readResponse()
        #expect(first.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(!first.lowercased().contains("connection: close"))
        #expect(first.hasSuffix("/one? 0"))
        connection.write("GET /two HTTP/1.1\r\nHost: x\r\n\r\nGET /three HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let rest = await connection.readToEnd()
        #expect(rest.contains("/two? 0"))
        #expect(rest.hasSuffix("/three? 0"))
        #expect(rest.lowercased().contains("connection: close"))

        let old = try RawHTTPConnection(port: Self.port(server))
        old.write("GET /old HTTP/1.0\r\n\r\n")
        let answer = await old.readToEnd()
        #expect(answer.hasPrefix("HTTP/1.0 200 OK\r\n"))
        #expect(answer.hasSuffix("/old? 0"))
        await server.stop()
    }

    @Test("a client that never finishes its request does not hold up others, and gets 408 at the deadline")
    func slowClient() async throws {
        // The fast requests are held to the same exchange timeout: long enough for a loaded machine.
        let server = AutoserveHTTPServer(configuration: .init(requestTimeout: .seconds(4)), handler: Self.echo())
        try await server.start()
        let slow = try RawHTTPConnection(port: Self.port(server))
        slow.write("GET /stuck HTTP/1.1\r\nHost: x\r\n")
        let started = ContinuousClock.now
        for _ in 0..<3 {
            let response = try await CurlTransport().send(TransportRequest(url: Self.url(server, "/fast")))
            #expect(response.status == 200)
        }
        let answer = await slow.readToEnd()
        #expect(answer.hasPrefix("HTTP/1.1 408 "))
        #expect(ContinuousClock.now - started >= .seconds(3.5))
        await server.stop()
    }

    @Test("an idle keep-alive connection is closed after the idle timeout")
    func idleTimeout() async throws {
        let server = AutoserveHTTPServer(configuration: .init(idleTimeout: .seconds(1)), handler: Self.echo())
        try await server.start()
        let connection = try RawHTTPConnection(port: Self.port(server))
        connection.write("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(await connection.readResponse().hasPrefix("HTTP/1.1 200 "))
        let started = ContinuousClock.now
        #expect(await connection.readToEnd() == "")
        #expect(ContinuousClock.now - started < .seconds(10))
        for _ in 0..<100 where server.openConnections > 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(server.openConnections == 0)
        await server.stop()
    }

    @Test("malformed requests get 400, oversize bodies 413, a 10 MB header 400, and the server goes on")
    func refusals() async throws {
        let server = AutoserveHTTPServer(configuration: .init(maximumBodyBytes: 1024), handler: Self.echo())
        try await server.start()
        let bad = try RawHTTPConnection(port: Self.port(server))
        bad.write("HELLO THERE\r\n\r\n")
        #expect(await bad.readToEnd().hasPrefix("HTTP/1.1 400 Bad Request\r\n"))

        let large = try await CurlTransport().send(
            TransportRequest(method: .post, url: Self.url(server, "/webhooks"), body: .bytes(Data(count: 4096))))
        #expect(large.status == 413)

        let declared = try RawHTTPConnection(port: Self.port(server))
        declared.write("POST /webhooks HTTP/1.1\r\nContent-Length: 100000000\r\n\r\npartial")
        #expect(await declared.readToEnd().hasPrefix("HTTP/1.1 413 "))

        for hostile in [
            "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "GET / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n", "123456789\r\n\r\n",
        ] {
            let connection = try RawHTTPConnection(port: Self.port(server))
            connection.write(hostile)
            let answer = await connection.readToEnd()
            #expect(answer.hasPrefix("HTTP/1.1 400 ") || answer.hasPrefix("HTTP/1.1 413 "), "\(hostile.debugDescription): \(answer)")
        }

        let header = try RawHTTPConnection(port: Self.port(server))
        header.write("GET / HTTP/1.1\r\nX-Big: ")
        header.write([UInt8](repeating: 0x61, count: 10 << 20))
        header.write("\r\n\r\n")
        #expect(await header.readToEnd().hasPrefix("HTTP/1.1 400 "))

        let ok = try await CurlTransport().send(TransportRequest(url: Self.url(server, "/after")))
        #expect(ok.status == 200)
        await server.stop()
    }

    @Test("a handler that does not answer in time gets the client a 503, and its task is cancelled")
    func handlerTimeout() async throws {
        let cancelled = Mutex(false)
        let server = AutoserveHTTPServer(configuration: .init(handlerTimeout: .milliseconds(300))) { _ in
            try? await Task.sleep(for: .seconds(30))
            if Task.isCancelled { cancelled.withLock { $0 = true } }
            return AutoserveHTTPResponse(status: 200)
        }
        try await server.start()
        let started = ContinuousClock.now
        let response = try await CurlTransport().send(TransportRequest(url: Self.url(server, "/hang")))
        #expect(response.status == 503)
        #expect(ContinuousClock.now - started < .seconds(10))
        for _ in 0..<100 where !cancelled.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(20)) }
        #expect(cancelled.withLock { $0 })
        await server.stop()
    }

    @Test("with 1,000 idle and half-sent connections open, /healthz answers in under 100 ms")
    func thousandIdleConnections() async throws {
        #expect(raiseOpenFileLimit() >= 1200, "the test needs 1,200 open files")
        let server = AutoserveHTTPServer(handler: { request in
            AutoserveHTTPResponse(status: request.path == "/healthz" ? 200 : 404, body: Array("ok\n".utf8))
        })
        try await server.start()
        var connections: [RawHTTPConnection] = []
        for index in 0..<1000 {
            let connection = try RawHTTPConnection(port: Self.port(server))
            if index.isMultiple(of: 2) { connection.write("GET /healthz HTTP/1.1\r\nHost: x\r\n") }
            connections.append(connection)
        }
        for _ in 0..<200 where server.openConnections < 1000 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(server.openConnections == 1000)
        let transport = CurlTransport()
        _ = try await transport.send(TransportRequest(url: Self.url(server, "/healthz")))  // the engine's start
        var durations: [Duration] = []
        for path in ["/healthz", "/readyz", "/healthz", "/readyz", "/healthz", "/readyz", "/healthz", "/readyz", "/healthz"] {
            let started = ContinuousClock.now
            let response = try await transport.send(TransportRequest(url: Self.url(server, path)))
            durations.append(ContinuousClock.now - started)
            #expect(response.status == (path == "/healthz" ? 200 : 404))
        }
        let median = durations.sorted()[durations.count / 2]
        #expect(median < .milliseconds(100), "median \(median)")
        withExtendedLifetime(connections) {}
        await server.stop()
    }

    @Test("a full server closes the connection that waited longest without an answer to let a new one in")
    func connectionLimitMakesRoom() async throws {
        let server = AutoserveHTTPServer(configuration: .init(maximumConnections: 8), handler: Self.echo())
        try await server.start()
        let oldest = try RawHTTPConnection(port: Self.port(server))
        oldest.write("GET /never-finished HTTP/1.1\r\n")
        for _ in 0..<50 where server.openConnections < 1 { try await Task.sleep(for: .milliseconds(10)) }
        var others: [RawHTTPConnection] = []
        for _ in 0..<7 {
            others.append(try RawHTTPConnection(port: Self.port(server)))
            try await Task.sleep(for: .milliseconds(5))
        }
        for _ in 0..<100 where server.openConnections < 8 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(server.openConnections == 8)
        let response = try await CurlTransport().send(TransportRequest(url: Self.url(server, "/healthz")))
        #expect(response.status == 200)
        #expect(await oldest.readToEnd() == "")
        withExtendedLifetime(others) {}
        await server.stop()
    }

    @Test("a client that does not read its 8 MiB answer holds neither the server nor its slot for longer than the request timeout")
    func slowReader() async throws {
        let server = AutoserveHTTPServer(configuration: .init(requestTimeout: .seconds(8)), handler: Self.echo())
        try await server.start()
        let reader = try RawHTTPConnection(port: Self.port(server), receiveBuffer: 4096)
        reader.write("GET /large HTTP/1.1\r\nHost: x\r\n\r\n")
        try await Task.sleep(for: .milliseconds(300))
        for _ in 0..<5 {
            let started = ContinuousClock.now
            let response = try await CurlTransport().send(TransportRequest(url: Self.url(server, "/metrics")))
            #expect(response.status == 200)
            // Well inside the 8 s the stuck writer keeps its connection: the server is not held by it.
            #expect(ContinuousClock.now - started < .seconds(4))
        }
        for _ in 0..<600 where server.openConnections > 0 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(server.openConnections == 0)
        await server.stop()
    }

    @Test("stopping lets a request being answered finish, then refuses connections")
    func stopWhileInFlight() async throws {
        let answering = Mutex(false)
        let echo = Self.echo(delay: .seconds(1))
        let server = AutoserveHTTPServer(handler: { request in
            if request.path == "/slow" { answering.withLock { $0 = true } }
            return await echo(request)
        })
        try await server.start()
        let url = Self.url(server, "/slow")
        let inFlight = Task { try await CurlTransport().send(TransportRequest(url: url)) }
        while !answering.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        let waiting = try RawHTTPConnection(port: Self.port(server))
        waiting.write("GET /never-finished HTTP/1.1\r\n")
        await server.stop()
        let response = try await inFlight.value
        #expect(response.status == 200)
        #expect(response.bodyText == "/slow? 0")
        #expect(await waiting.readToEnd() == "")
        #expect(server.openConnections == 0)
        #expect(throws: RawConnectionError.self) { try RawHTTPConnection(port: Self.port(server)) }
    }
}
