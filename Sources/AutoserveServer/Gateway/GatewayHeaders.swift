import NIOHTTP1

/// How the gateway rewrites heads as they cross it: hop-by-hop headers stay on their hop (RFC 9110
/// §7.6.1), the framing is NIO's to set again, and the model server learns who asked.
enum GatewayHeaders {
    /// The gateway's own header that picks the alias of the requested model that answers.
    static let route = "x-mlops-route"

    /// The head sent to the model server for a client's `head`, at `path`.
    static func upstreamRequest(
        _ head: HTTPRequestHead, path: String, upstreamHost: String, clientAddress: String?
    ) -> HTTPRequestHead {
        var headers = forwardable(head.headers)
        let originalHost = head.headers.first(name: "host")
        headers.replaceOrAdd(name: "host", value: upstreamHost)
        if let originalHost { headers.replaceOrAdd(name: "x-forwarded-host", value: originalHost) }
        if let clientAddress {
            let previous = head.headers[canonicalForm: "x-forwarded-for"].joined(separator: ", ")
            headers.replaceOrAdd(name: "x-forwarded-for", value: previous.isEmpty ? clientAddress : "\(previous), \(clientAddress)")
        }
        headers.replaceOrAdd(name: "x-forwarded-proto", value: "http")
        if isChunked(head.headers), !headers.contains(name: "content-length") {
            headers.add(name: "transfer-encoding", value: "chunked")
        }
        return HTTPRequestHead(version: .http1_1, method: head.method, uri: path, headers: headers)
    }

    /// The head sent to the client for the model server's `head`.
    static func clientResponse(_ head: HTTPResponseHead, version: HTTPVersion, keepAlive: Bool) -> HTTPResponseHead {
        var headers = forwardable(head.headers)
        if !keepAlive { headers.add(name: "connection", value: "close") }
        return HTTPResponseHead(version: version, status: head.status, headers: headers)
    }

    /// Whether `headers` say the body is chunked.
    static func isChunked(_ headers: HTTPHeaders) -> Bool {
        headers[canonicalForm: "transfer-encoding"].contains { equalIgnoringCase($0, "chunked") }
    }

    /// The declared body length, when there is exactly one valid `content-length`.
    static func contentLength(_ headers: HTTPHeaders) -> Int? {
        let values = headers[canonicalForm: "content-length"]
        guard let first = values.first, values.allSatisfy({ $0 == first }) else { return nil }
        return Int(first)
    }

    private static func forwardable(_ headers: HTTPHeaders) -> HTTPHeaders {
        let named = headers[canonicalForm: "connection"].filter { !isHopByHop($0) && !$0.isEmpty }
        var forwarded = HTTPHeaders()
        forwarded.reserveCapacity(headers.count + 4)
        for (name, value) in headers {
            if isHopByHop(name) || named.contains(where: { equalIgnoringCase($0, name) }) { continue }
            forwarded.add(name: name, value: value)
        }
        return forwarded
    }

    /// Whether `name` is hop-by-hop (`connection`, `keep-alive`, `proxy-connection`, `te`, `trailer`,
    /// `upgrade`, `proxy-authorization`, `proxy-authenticate`, `transfer-encoding`), or one the gateway
    /// answers or reads itself (`expect`, `x-mlops-route`), compared without allocating.
    private static func isHopByHop(_ name: some StringProtocol) -> Bool {
        switch name.utf8.count {
        case 2: return equalIgnoringCase(name, "te")
        case 7: return equalIgnoringCase(name, "trailer") || equalIgnoringCase(name, "upgrade")
        case 6: return equalIgnoringCase(name, "expect")
        case 10: return equalIgnoringCase(name, "connection") || equalIgnoringCase(name, "keep-alive")
        case 13: return equalIgnoringCase(name, "x-mlops-route")
        case 16: return equalIgnoringCase(name, "proxy-connection")
        case 17: return equalIgnoringCase(name, "transfer-encoding")
        case 18: return equalIgnoringCase(name, "proxy-authenticate")
        case 19: return equalIgnoringCase(name, "proxy-authorization")
        default: return false
        }
    }

    /// ASCII case-insensitive equality (header names are ASCII tokens).
    static func equalIgnoringCase(_ lhs: some StringProtocol, _ rhs: some StringProtocol) -> Bool {
        let left = lhs.utf8
        let right = rhs.utf8
        guard left.count == right.count else { return false }
        return zip(left, right).allSatisfy { a, b in a == b || (a | 0x20 == b | 0x20 && (a | 0x20) >= 0x61 && (a | 0x20) <= 0x7A) }
    }
}
