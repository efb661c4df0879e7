/// Reads an HTTP/1.1 response from bytes as they arrive: the head (status line and header fields),
/// then the body framed by `Content-Length`, chunked transfer coding, or the end of the connection.
///
/// Feed it what the socket delivers with ``feed(_:)``; it hands back the body bytes it could decode
/// and says when the response is complete. It never buffers more than one head (``maximumHeadSize``)
/// and one chunk-size line; the body passes through.
struct HTTPResponseDecoder {
    /// A response that cannot be read, named for the error message.
    struct Malformed: Error, Equatable, CustomStringConvertible {
        var reason: String
        var description: String { "malformed HTTP response: \(reason)" }
    }

    /// The status line and header fields.
    struct Head: Equatable {
        var status: Int
        var headers: TransportHeaders
    }

    /// What a call to ``feed(_:)`` produced.
    struct Output {
        /// The head, the one time it is complete.
        var head: Head?
        /// Body bytes decoded from this input (transfer coding removed).
        var body: [UInt8] = []
        /// Whether the response is complete; bytes after it are ignored.
        var isComplete = false
    }

    private enum Framing {
        case length(Int64)
        case chunked
        case untilClose
    }

    private enum ChunkState {
        case size
        case data(Int)
        case dataEnd
        case trailer
    }

    private enum State {
        case head
        case body(Framing)
        case chunked(ChunkState)
        case complete
    }

    static let maximumHeadSize = 64 * 1024
    static let maximumChunkLineSize = 4 * 1024

    /// Whether the request was `HEAD`: its response has header fields but never a body.
    let isHeadRequest: Bool
    private var state = State.head
    private var pending: [UInt8] = []
    private(set) var head: Head?

    init(isHeadRequest: Bool = false) {
        self.isHeadRequest = isHeadRequest
    }

    var isComplete: Bool {
        if case .complete = state { return true }
        return false
    }

    /// Whether the body runs until the server closes the connection (no length, not chunked).
    var endsAtClose: Bool {
        if case .body(.untilClose) = state { return true }
        return false
    }

    mutating func feed(_ bytes: some Collection<UInt8>) throws(Malformed) -> Output {
        var output = Output()
        var input = ArraySlice(bytes)
        while !input.isEmpty || canAdvanceWithoutInput {
            switch state {
            case .head:
                pending.append(contentsOf: input)
                input = []
                guard let end = Self.endOfHead(in: pending) else {
                    if pending.count > Self.maximumHeadSize { throw Malformed(reason: "the head is larger than 64 KiB") }
                    return output
                }
                let parsed = try Self.parseHead(pending[..<end])
                input = ArraySlice(pending[(end + 4)...])
                pending = []
                if (100..<200).contains(parsed.status) && parsed.status != 101 {
                    continue  // an interim response (100 Continue): the real one follows
                }
                head = parsed
                output.head = parsed
                state = try Self.bodyState(for: parsed, isHeadRequest: isHeadRequest)
            case .body(.length(let remaining)):
                let take = Int(min(Int64(input.count), remaining))
                output.body.append(contentsOf: input.prefix(take))
                input = input.dropFirst(take)
                state = remaining - Int64(take) == 0 ? .complete : .body(.length(remaining - Int64(take)))
            case .body(.untilClose):
                output.body.append(contentsOf: input)
                input = []
            case .body(.chunked):
                state = .chunked(.size)
            case .chunked(.size):
                guard let line = try takeLine(&input) else { return output }
                let sizeText = line.prefix { $0 != UInt8(ascii: ";") }.filter { $0 != UInt8(ascii: " ") && $0 != 9 }
                guard !sizeText.isEmpty, sizeText.count <= 15,
                    let size = Int(String(decoding: sizeText, as: UTF8.self), radix: 16)
                else { throw Malformed(reason: "a chunk size is not a hexadecimal number") }
                state = size == 0 ? .chunked(.trailer) : .chunked(.data(size))
            case .chunked(.data(let remaining)):
                let take = min(input.count, remaining)
                output.body.append(contentsOf: input.prefix(take))
                input = input.dropFirst(take)
                state = remaining - take == 0 ? .chunked(.dataEnd) : .chunked(.data(remaining - take))
            case .chunked(.dataEnd):
                guard let line = try takeLine(&input) else { return output }
                guard line.isEmpty else { throw Malformed(reason: "a chunk is longer than its size") }
                state = .chunked(.size)
            case .chunked(.trailer):
                guard let line = try takeLine(&input) else { return output }
                if line.isEmpty { state = .complete }
            case .complete:
                output.isComplete = true
                return output
            }
        }
        output.isComplete = isComplete
        return output
    }

    /// Ends the input (the server closed the connection): completes a body that runs until the
    /// close, and is an error for any other incomplete response.
    mutating func finish() throws(Malformed) {
        switch state {
        case .complete: return
        case .body(.untilClose): state = .complete
        case .head: throw Malformed(reason: pending.isEmpty ? "the connection closed before a response" : "the head was cut short")
        default: throw Malformed(reason: "the body was cut short")
        }
    }

    private var canAdvanceWithoutInput: Bool {
        switch state {
        case .body(.chunked), .complete: true
        case .body(.length(let remaining)): remaining == 0
        default: false
        }
    }

    /// Takes one CRLF-terminated line (without the CRLF) from `pending` + `input`, or nil when it has
    /// not fully arrived yet (what arrived is kept).
    private mutating func takeLine(_ input: inout ArraySlice<UInt8>) throws(Malformed) -> [UInt8]? {
        if let newline = input.firstIndex(of: UInt8(ascii: "\n")) {
            var line = pending + input[..<newline]
            pending = []
            input = input[(newline + 1)...]
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            return line
        }
        pending.append(contentsOf: input)
        input = []
        if pending.count > Self.maximumChunkLineSize { throw Malformed(reason: "a chunk line is longer than 4 KiB") }
        return nil
    }

    private static func endOfHead(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }

    private static func parseHead(_ bytes: ArraySlice<UInt8>) throws(Malformed) -> Head {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)[...]
        guard let statusLine = lines.popFirst() else { throw Malformed(reason: "no status line") }
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, let status = Int(parts[1]),
            (100...599).contains(status)
        else { throw Malformed(reason: "the status line is not HTTP/1.x") }
        var headers = TransportHeaders()
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                throw Malformed(reason: "a header line has no name")
            }
            let name = line[..<colon]
            guard !name.contains(where: { $0 == " " || $0 == "\t" }) else {
                throw Malformed(reason: "a header name contains white space")
            }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: " \t")
            headers.add(name: String(name), value: value)
        }
        return Head(status: status, headers: headers)
    }

    private static func bodyState(for head: Head, isHeadRequest: Bool) throws(Malformed) -> State {
        if isHeadRequest || head.status == 204 || head.status == 304 { return .complete }
        if let coding = head.headers["transfer-encoding"]?.lowercased() {
            guard coding.split(separator: ",").last?.trimmingCharacters(in: " \t") == "chunked" else {
                return .body(.untilClose)
            }
            return .body(.chunked)
        }
        if let lengthText = head.headers["content-length"] {
            let values = Set(lengthText.split(separator: ",").map { $0.trimmingCharacters(in: " \t") })
            guard values.count == 1, let value = values.first, let length = Int64(value), length >= 0 else {
                throw Malformed(reason: "Content-Length is not a number")
            }
            return length == 0 ? .complete : .body(.length(length))
        }
        return .body(.untilClose)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var slice = self[...]
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
