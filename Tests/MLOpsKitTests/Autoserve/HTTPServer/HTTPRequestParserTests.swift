import MLOpsKit
import Testing

@Suite("HTTP request parser")
struct HTTPRequestParserTests {
    let parser = HTTPRequestParser(maximumHeadBytes: 1024, maximumBodyBytes: 64)

    func parse(_ text: String) -> HTTPRequestParser.Outcome { parser.parse(Array(text.utf8)[...]) }

    func status(_ outcome: HTTPRequestParser.Outcome) -> Int? {
        if case .rejected(let status, _) = outcome { return status }
        return nil
    }

    @Test("a GET with a query and repeated headers")
    func get() throws {
        let text = "GET /status?model_name=iris%20v2&x=1 HTTP/1.1\r\nHost: a\r\nAccept: a\r\naccept:  b \r\n\r\n"
        guard case .request(let request, let consumed) = parse(text) else {
            Issue.record("not parsed: \(parse(text))")
            return
        }
        #expect(consumed == text.utf8.count)
        #expect(request.method == "GET")
        #expect(request.path == "/status")
        #expect(request.query == ["model_name": "iris v2", "x": "1"])
        #expect(request.headers["accept"] == "a, b")
        #expect(request.headers["host"] == "a")
        #expect(request.body.isEmpty)
    }

    @Test("a POST body by Content-Length, and bare line feeds")
    func post() {
        let text = "POST /webhooks HTTP/1.0\nContent-Length: 5\n\nhello"
        let outcome = parse(text)
        guard case .request(let request, let consumed) = outcome else {
            Issue.record("not parsed: \(outcome)")
            return
        }
        #expect(request.method == "POST")
        #expect(request.body == Array("hello".utf8))
        #expect(consumed == text.utf8.count)
    }

    @Test("without Content-Length the body is empty and what follows is the next request")
    func pipelined() {
        let first = "POST /a HTTP/1.1\r\n\r\n"
        let second = "GET /b HTTP/1.1\r\nContent-Length: 2\r\n\r\nok"
        let bytes = Array((first + second).utf8)
        guard case .request(let one, let consumed) = parser.parse(bytes[...]) else {
            Issue.record("first not parsed")
            return
        }
        #expect(one.path == "/a" && one.body.isEmpty)
        #expect(consumed == first.utf8.count)
        guard case .request(let two, let rest) = parser.parse(bytes[consumed...]) else {
            Issue.record("second not parsed")
            return
        }
        #expect(two.path == "/b" && two.body == Array("ok".utf8))
        #expect(consumed + rest == bytes.count)
    }

    @Test("partial reads: incomplete until the whole head and body arrived")
    func partial() {
        let text = Array("POST /w HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc".utf8)
        for end in 0..<text.count {
            #expect(parser.parse(text[..<end]) == .incomplete, "at \(end)")
        }
        if case .request(let request, _) = parser.parse(text[...]) {
            #expect(request.body == Array("abc".utf8))
        } else {
            Issue.record("complete request not parsed")
        }
    }

    @Test(
        "malformed request lines are refused with 400",
        arguments: [
            "GET\r\n\r\n", "GET /\r\n\r\n", "GET / HTTP/1.1 x\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n",
            "GET status HTTP/1.1\r\n\r\n", "GET / HTTP/2.0\r\n\r\n", "G(T / HTTP/1.1\r\n\r\n",
            "GET /a b HTTP/1.1\r\n\r\n", "\r\n\r\n", "GET / HTTP/1.1\r\nno colon\r\n\r\n",
            "GET / HTTP/1.1\r\n: empty name\r\n\r\n", "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
        ])
    func malformed(text: String) {
        #expect(status(parse(text)) == 400)
    }

    @Test("bad Content-Length values are refused with 400", arguments: ["abc", "-1", "1, 2", "", "1e3", "99999999999999999999"])
    func badLength(value: String) {
        #expect(status(parse("POST / HTTP/1.1\r\nContent-Length: \(value)\r\n\r\n")) == 400)
    }

    @Test("repeated equal Content-Length values are accepted")
    func repeatedLength() {
        guard case .request(let request, _) = parse("POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok")
        else {
            Issue.record("not parsed")
            return
        }
        #expect(request.body == Array("ok".utf8))
    }

    @Test("a body larger than the limit is refused with 413 before it arrives")
    func oversize() {
        #expect(status(parse("POST /webhooks HTTP/1.1\r\nContent-Length: 65\r\n\r\n")) == 413)
        if case .request = parse("POST /webhooks HTTP/1.1\r\nContent-Length: 64\r\n\r\n" + String(repeating: "x", count: 64)) {
        } else {
            Issue.record("a body at the limit is refused")
        }
    }

    @Test("a head larger than the limit is refused with 431, complete or not")
    func oversizeHead() {
        let long = "GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 2000)
        #expect(status(parse(long)) == 431)
        #expect(status(parse(long + "\r\n\r\n")) == 431)
    }

    @Test("chunked bodies are refused with 501")
    func chunked() {
        #expect(status(parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")) == 501)
    }

    @Test("responses carry Content-Length and Connection: close, and no body for HEAD")
    func encoding() {
        let response = AutoserveHTTPResponse(
            status: 404, headers: ["Content-Type": "text/plain", "Content-Length": "99", "X-Bad": "a\r\nInjected: 1"],
            body: Array("nope".utf8))
        let text = String(decoding: response.encoded(), as: UTF8.self)
        #expect(text == "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 4\r\nConnection: close\r\n\r\nnope")
        #expect(String(decoding: response.encoded(includeBody: false), as: UTF8.self).hasSuffix("close\r\n\r\n"))
    }
}
