#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import MLOpsKit
import Synchronization
import Testing

/// The agent's HTTP server over loopback, with the project's libcurl client.
@Suite("Autoserve HTTP server")
struct AutoserveHTTPServerTests {
    /// Echoes the method, path, query and body; `/slow` answers after `delay`.
    static func echo(delay: Duration = .milliseconds(500)) -> AutoserveHTTPServer.Handler {
        { request in
            if request.path == "/slow" { try? await Task.sleep(for: delay) }
            let query = request.query.sorted(by: { $0.key < $1.key }).map { "\($0.key)=\($0.value)" }.joined(separator: "&")
            return AutoserveHTTPResponse(
                status: 200, headers: ["Content-Type": "text/plain", "X-Method": request.method],
                body: Array("\(request.path)?\(query) \(request.body.count)".utf8) + request.body)
        }
    }

    static func url(_ server: AutoserveHTTPServer, _ path: String) -> URL {
        URL(string: "http://\(server.address!)\(path)")!
    }

    static func port(_ server: AutoserveHTTPServer) -> Int {
        Int(server.address!.split(separator: ":").last!)!
    }

    @Test("port 0 binds a free port on IPv4 and IPv6 loopback and reports it")
    func bindsAndReports() async throws {
        for (host, prefix) in [("127.0.0.1", "127.0.0.1:"), ("localhost", "127.0.0.1:"), ("::1", "[::1]:")] {
            let server = AutoserveHTTPServer(configuration: .init(host: host, port: 0), handler: Self.echo())
            let address = try server.start()
            #expect(address.hasPrefix(prefix))
            #expect(Self.port(server) > 0)
            let response = try await CurlTransport().send(TransportRequest(url: Self.url(server, "/a?x=1")))
            #expect(response.status == 200)
            #expect(response.bodyText == "/a?x=1 0")
            await server.stop()
        }
    }

    @Test("a taken port, a non-numeric host and a bad port are reported")
    func startErrors() throws {
        let first = AutoserveHTTPServer(handler: Self.echo())
        try first.start()
        defer { Task { await first.stop() } }
        let second = AutoserveHTTPServer(configuration: .init(port: Self.port(first)), handler: Self.echo())
        #expect(throws: HTTPServerError.self) { try second.start() }
        #expect(throws: HTTPServerError.invalidHost("example.org")) {
            try AutoserveHTTPServer(configuration: .init(host: "example.org"), handler: Self.echo()).start()
        }
        #expect(throws: HTTPServerError.invalidPort(70000)) {
            try AutoserveHTTPServer(configuration: .init(port: 70000), handler: Self.echo()).start()
        }
    }

    @Test("concurrent requests, with bodies, are all answered")
    func concurrent() async throws {
        let server = AutoserveHTTPServer(handler: Self.echo())
        try server.start()
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

    @Test("a client that never finishes its request does not hold up others, and gets 408 at the deadline")
    func slowClient() async throws {
        let server = AutoserveHTTPServer(configuration: .init(readTimeout: .seconds(3)), handler: Self.echo())
        try server.start()
        let slow = try RawHTTPConnection(port: Self.port(server))
        slow.write("GET /stuck HTTP/1.1\r\nHost: x\r\n")
        let started = ContinuousClock.now
        for _ in 0..<3 {
            let response = try await CurlTransport().send(TransportRequest(url: Self.url(server, "/fast")))
            #expect(response.status == 200)
        }
        let answer = await slow.readToEnd()
        #expect(answer.hasPrefix("HTTP/1.1 408 "))
        #expect(ContinuousClock.now - started >= .seconds(2))
        await server.stop()
    }

    @Test("malformed requests get 400, oversize bodies 413, and the server goes on")
    func refusals() async throws {
        let server = AutoserveHTTPServer(
            configuration: .init(parser: HTTPRequestParser(maximumBodyBytes: 1024)), handler: Self.echo())
        try server.start()
        let bad = try RawHTTPConnection(port: Self.port(server))
        bad.write("HELLO THERE\r\n\r\n")
        #expect(await bad.readToEnd().hasPrefix("HTTP/1.1 400 Bad Request\r\n"))

        let large = try await CurlTransport().send(
            TransportRequest(method: .post, url: Self.url(server, "/webhooks"), body: .bytes(Data(count: 4096))))
        #expect(large.status == 413)

        let declared = try RawHTTPConnection(port: Self.port(server))
        declared.write("POST /webhooks HTTP/1.1\r\nContent-Length: 100000000\r\n\r\npartial")
        #expect(await declared.readToEnd().hasPrefix("HTTP/1.1 413 "))

        let ok = try await CurlTransport().send(TransportRequest(url: Self.url(server, "/after")))
        #expect(ok.status == 200)
        await server.stop()
    }

    @Test("stopping lets a request being answered finish, then refuses connections")
    func stopWhileInFlight() async throws {
        // Stop only once the request is being answered: one still being sent is dropped by design.
        let answering = Mutex(false)
        let echo = Self.echo(delay: .seconds(1))
        let server = AutoserveHTTPServer(handler: { request in
            if request.path == "/slow" { answering.withLock { $0 = true } }
            return await echo(request)
        })
        try server.start()
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
