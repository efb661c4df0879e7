import MLOpsCore

/// One HTTP request to the agent, as the router sees it: no sockets, so routes are plain functions.
public struct AutoserveHTTPRequest: Sendable, Equatable {
    /// `GET`, `POST`, … (upper case).
    public var method: String
    /// The path without the query, such as `/status`.
    public var path: String
    /// Query parameters, percent-decoded; the last of repeated names wins.
    public var query: [String: String]
    /// Headers with lower-cased names; repeated ones joined with `, `.
    public var headers: [String: String]
    /// The raw body.
    public var body: [UInt8]

    public init(
        method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:],
        body: [UInt8] = []
    ) {
        self.method = method.uppercased()
        self.path = path
        self.query = query
        var lowered: [String: String] = [:]
        for (name, value) in headers { lowered[name.lowercased()] = value }
        self.headers = lowered
        self.body = body
    }

    /// A request for a request target such as `/status?model_name=iris%20v2`.
    public init(method: String, target: String, headers: [String: String] = [:], body: [UInt8] = []) {
        // Split on bytes, not Characters: `?`, `&` or `=` followed by a combining mark is one Character.
        let parts = Array(target.utf8).split(separator: UInt8(ascii: "?"), maxSplits: 1, omittingEmptySubsequences: false)
        var query: [String: String] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: UInt8(ascii: "&")) {
                let nameValue = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
                let name = Self.formDecode(nameValue[0])
                query[name] = nameValue.count == 2 ? Self.formDecode(nameValue[1]) : ""
            }
        }
        let path = parts.first.map { String(decoding: $0, as: UTF8.self) } ?? "/"
        self.init(method: method, path: path, query: query, headers: headers, body: body)
    }

    /// Decodes `+` and `%XX` escapes in UTF-8 bytes; malformed escapes stay as they are.
    static func formDecode(_ text: ArraySlice<UInt8>) -> String {
        var bytes: [UInt8] = []
        var utf8 = text
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let high = hexValue(utf8[utf8.startIndex]), let low = hexValue(utf8[utf8.startIndex + 1])
            {
                bytes.append(high << 4 | low)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// The agent's answer to one request.
public struct AutoserveHTTPResponse: Sendable, Equatable {
    public var status: Int
    /// Header names as sent.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body as text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}
