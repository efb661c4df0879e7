/// Reads one HTTP/1.x request from the bytes received so far: the request line, the headers and a
/// `Content-Length` body. Pure, so it can be fed partial reads and tested without sockets.
///
/// Chunked request bodies are not supported (the agent's routes take small bodies only): a request
/// with `Transfer-Encoding` is refused with 501.
public struct HTTPRequestParser: Sendable, Equatable {
    /// What the bytes received so far amount to.
    public enum Outcome: Sendable, Equatable {
        /// More bytes are needed.
        case incomplete
        /// A complete request, and how many bytes of the buffer it took (any more belong to the next one).
        case request(AutoserveHTTPRequest, consumed: Int)
        /// A request that cannot be served: answer with this status and close the connection.
        case rejected(status: Int, reason: String)
    }

    /// The largest request line plus headers accepted, in bytes (431 beyond).
    public var maximumHeadBytes: Int
    /// The largest body accepted, in bytes (413 beyond, before the body is read).
    public var maximumBodyBytes: Int

    /// 16 KiB of head and the webhook route's body limit by default.
    public init(maximumHeadBytes: Int = 16 * 1024, maximumBodyBytes: Int = AutoserveHTTPRoutes.maximumWebhookBody) {
        self.maximumHeadBytes = maximumHeadBytes
        self.maximumBodyBytes = maximumBodyBytes
    }

    /// Parses the request at the start of `buffer`.
    public func parse(_ buffer: ArraySlice<UInt8>) -> Outcome {
        guard let headEnd = Self.endOfHead(buffer) else {
            if buffer.count > maximumHeadBytes {
                return .rejected(status: 431, reason: "request head larger than \(maximumHeadBytes) bytes")
            }
            return .incomplete
        }
        guard headEnd.lines - buffer.startIndex <= maximumHeadBytes else {
            return .rejected(status: 431, reason: "request head larger than \(maximumHeadBytes) bytes")
        }
        var lines = buffer[buffer.startIndex..<headEnd.lines].split(
            separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false
        ).map { line in line.last == UInt8(ascii: "\r") ? line.dropLast() : line }
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard let requestLine = lines.first, let (method, target) = Self.requestLine(requestLine) else {
            return .rejected(status: 400, reason: "malformed request line")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let (name, value) = Self.header(line) else {
                return .rejected(status: 400, reason: "malformed header line")
            }
            headers[name] = headers[name].map { "\($0), \(value)" } ?? value
        }
        if headers["transfer-encoding"] != nil {
            return .rejected(status: 501, reason: "Transfer-Encoding is not supported; send Content-Length")
        }
        var length = 0
        if let declared = headers["content-length"] {
            let values = Set(declared.split(separator: ",").map { $0.trimmingASCIISpaces() })
            guard values.count == 1, let value = values.first, !value.isEmpty, value.utf8.count <= 18,
                value.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                let parsed = Int(value)
            else { return .rejected(status: 400, reason: "malformed Content-Length") }
            length = parsed
        }
        guard length <= maximumBodyBytes else {
            return .rejected(status: 413, reason: "body larger than \(maximumBodyBytes) bytes")
        }
        let bodyStart = headEnd.body
        guard buffer.endIndex - bodyStart >= length else { return .incomplete }
        let request = AutoserveHTTPRequest(
            method: method, target: target, headers: headers, body: Array(buffer[bodyStart..<(bodyStart + length)]))
        return .request(request, consumed: bodyStart + length - buffer.startIndex)
    }

    /// Where the head's lines end (before the empty line) and where the body starts; nil while the empty
    /// line has not arrived. Bare line feeds are accepted as line ends.
    static func endOfHead(_ buffer: ArraySlice<UInt8>) -> (lines: Int, body: Int)? {
        var index = buffer.startIndex
        while let newline = buffer[index...].firstIndex(of: UInt8(ascii: "\n")) {
            var next = newline + 1
            if next < buffer.endIndex, buffer[next] == UInt8(ascii: "\r") { next += 1 }
            if next < buffer.endIndex, buffer[next] == UInt8(ascii: "\n") { return (newline + 1, next + 1) }
            if next >= buffer.endIndex { return nil }
            index = next
        }
        return nil
    }

    /// `METHOD SP request-target SP HTTP/1.x`, with an origin-form target.
    static func requestLine(_ line: ArraySlice<UInt8>) -> (method: String, target: String)? {
        let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(isTokenByte),
            parts[1].first == UInt8(ascii: "/"), parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
            parts[2].elementsEqual("HTTP/1.1".utf8) || parts[2].elementsEqual("HTTP/1.0".utf8)
        else { return nil }
        return (String(decoding: parts[0], as: UTF8.self), String(decoding: parts[1], as: UTF8.self))
    }

    /// `name: value`, the name lower-cased, the value without surrounding spaces.
    static func header(_ line: ArraySlice<UInt8>) -> (name: String, value: String)? {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
            line[line.startIndex..<colon].allSatisfy(isTokenByte),
            !line.contains(where: { $0 == 0 || $0 == UInt8(ascii: "\r") })
        else { return nil }
        let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self).lowercased()
        let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingASCIISpaces()
        return (name, value)
    }

    /// RFC 9110 `tchar`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default: "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

extension StringProtocol {
    fileprivate func trimmingASCIISpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
