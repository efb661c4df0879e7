#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One request of a ``SocketHTTPTransport``: its connection, the bytes it sends, and where the
/// response goes. ``perform()`` and ``performStreaming(head:chunk:finish:)`` block; they run on a
/// thread of their own.
final class SocketExchange: Sendable {
    let request: TransportRequest
    let connection = SocketConnection()
    private let configuration: SocketHTTPTransport.Configuration
    private let isStreaming: Bool
    private let socketPath: String?
    private let host: String
    private let port: Int
    private let head: [UInt8]
    private let redactedURL: String

    init(request: TransportRequest, configuration: SocketHTTPTransport.Configuration, streaming: Bool) throws(HTTPTransportError) {
        self.request = request
        self.configuration = configuration
        self.isStreaming = streaming
        self.redactedURL = Redaction.redact(request.url)
        let (url, socketFromURL) = TransportRequest.resolveUnixSocketURL(request.url)
        socketPath = request.unixSocketPath ?? socketFromURL
        func invalid(_ detail: String) -> HTTPTransportError {
            HTTPTransportError(code: .invalidRequest, method: request.method, redactedURL: Redaction.redact(request.url), detail: detail)
        }
        guard socketPath != nil || url.scheme?.lowercased() == "http" else {
            throw invalid("only http:// and unix-domain sockets; \(url.scheme ?? "this scheme") needs the libcurl transport")
        }
        guard let host = socketPath == nil ? url.host(percentEncoded: false) : "localhost", !host.isEmpty else {
            throw invalid("the URL has no host")
        }
        self.host = host
        self.port = url.port ?? 80
        var target = url.path(percentEncoded: true)
        if target.isEmpty { target = "/" }
        if let query = url.query(percentEncoded: true) { target += "?" + query }

        var lines = ["\(request.method.rawValue) \(target) HTTP/1.1"]
        let hostField = host.contains(":") ? "[\(host)]" : host
        if !request.headers.contains("host") { lines.append("Host: " + (url.port.map { "\(hostField):\($0)" } ?? hostField)) }
        if !request.headers.contains("user-agent") { lines.append("User-Agent: \(configuration.userAgent)") }
        for field in request.headers {
            guard Self.isToken(field.name) else { throw invalid("the header name \"\(field.name)\" is not a token") }
            guard !field.value.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) else {
                throw invalid("the value of header \(field.name) contains a line break")
            }
            switch field.name.lowercased() {
            case "connection", "content-length", "transfer-encoding", "expect": continue
            default: lines.append("\(field.name): \(field.value)")
            }
        }
        lines.append("Connection: close")
        switch request.body {
        case .none:
            if [.post, .put, .patch].contains(request.method) { lines.append("Content-Length: 0") }
        case .bytes(let data):
            lines.append("Content-Length: \(data.count)")
        case .file(let fileURL):
            lines.append("Content-Length: \(try Self.size(of: fileURL, request: request))")
        case .fileRegion(_, _, let length):
            lines.append("Content-Length: \(length)")
        }
        head = Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    /// An error about this request.
    func error(_ code: HTTPTransportError.Code, _ detail: String) -> HTTPTransportError {
        HTTPTransportError(code: code, method: request.method, redactedURL: redactedURL, detail: detail)
    }

    // MARK: Whole responses

    func perform() throws -> TransportResponse {
        let deadline = (request.timeout ?? configuration.requestTimeout).map { ContinuousClock.now + $0 }
        do {
            try open(deadline: deadline)
            var decoder = HTTPResponseDecoder(isHeadRequest: request.method == .head)
            var sink = ResponseSink(destination: request.responseDestination)
            defer { sink.discard() }
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while !decoder.isComplete {
                let count = try connection.read(into: &buffer, deadline: deadline, idle: configuration.idleTimeout)
                if count == 0 {
                    try decoder.finish()
                    break
                }
                let output = try decoder.feed(buffer[..<count])
                if let head = output.head { try sink.begin(status: head.status) }
                if !output.body.isEmpty { try sink.write(output.body) }
            }
            guard let head = decoder.head else { throw error(.connectionLost, "no response") }
            let body = try sink.complete()
            return TransportResponse(status: head.status, headers: head.headers, body: body)
        } catch {
            throw mapped(error)
        }
    }

    // MARK: Streams

    func performStreaming(
        head deliverHead: (HTTPResponseDecoder.Head) -> Void, chunk: ([UInt8]) -> Void, finish: ((any Error)?) -> Void
    ) {
        let deadline = request.timeout.map { ContinuousClock.now + $0 }
        do {
            try open(deadline: deadline)
            var decoder = HTTPResponseDecoder(isHeadRequest: request.method == .head)
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            while !decoder.isComplete {
                let count = try connection.read(into: &buffer, deadline: deadline, idle: nil)
                if count == 0 {
                    try decoder.finish()
                    break
                }
                let output = try decoder.feed(buffer[..<count])
                if let head = output.head { deliverHead(head) }
                if !output.body.isEmpty { chunk(output.body) }
            }
            if let head = decoder.head { deliverHead(head) }  // a response without a body
            finish(nil)
        } catch {
            finish(mapped(error))
        }
    }

    // MARK: Connecting and sending

    private func open(deadline: ContinuousClock.Instant?) throws {
        let connectLimit = ContinuousClock.now + configuration.connectTimeout
        let connectDeadline = deadline.map { min($0, connectLimit) } ?? connectLimit
        if let socketPath {
            try connection.connect(unixSocket: socketPath, deadline: connectDeadline)
        } else {
            try connection.connect(host: host, port: port, deadline: connectDeadline)
        }
        let idle = isStreaming ? nil : configuration.idleTimeout
        try head.withUnsafeBytes { try connection.write($0, deadline: deadline, idle: idle) }
        switch request.body {
        case .none:
            break
        case .bytes(let data):
            try data.withUnsafeBytes { try connection.write($0, deadline: deadline, idle: idle) }
        case .file(let url):
            try sendFile(url, offset: 0, length: nil, deadline: deadline, idle: idle)
        case .fileRegion(let url, let offset, let length):
            try sendFile(url, offset: offset, length: length, deadline: deadline, idle: idle)
        }
    }

    private func sendFile(_ url: URL, offset: Int64, length: Int64?, deadline: ContinuousClock.Instant?, idle: Duration?) throws {
        let descriptor = posixOpen(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw error(.localFile, "cannot open \(url.lastPathComponent): \(posixErrorText())") }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var position = offset
        var remaining = length ?? Int64.max
        while remaining > 0 {
            let want = Int(min(Int64(buffer.count), remaining))
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, want, off_t(position)) }
            if count < 0 {
                if errno == EINTR { continue }
                throw error(.localFile, "cannot read \(url.lastPathComponent): \(posixErrorText())")
            }
            if count == 0 {
                guard length == nil else { throw error(.localFile, "\(url.lastPathComponent) is shorter than the region to send") }
                break
            }
            try buffer.withUnsafeBytes { try connection.write(UnsafeRawBufferPointer(rebasing: $0[..<count]), deadline: deadline, idle: idle) }
            position += Int64(count)
            remaining -= Int64(count)
        }
    }

    private static func size(of url: URL, request: TransportRequest) throws(HTTPTransportError) -> Int64 {
        var info = stat()
        guard stat(url.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw HTTPTransportError(
                code: .localFile, method: request.method, redactedURL: Redaction.redact(request.url),
                detail: "cannot read \(url.lastPathComponent): \(posixErrorText())")
        }
        return Int64(info.st_size)
    }

    private static func isToken(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
            default: "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }

    // MARK: Errors

    private func mapped(_ failure: any Error) -> any Error {
        if failure is HTTPTransportError { return failure }
        if connection.isAborted { return CancellationError() }
        switch failure {
        case let failure as SocketConnection.Failure:
            switch failure {
            case .couldNotResolve(let detail): return error(.couldNotResolveHost, detail)
            case .couldNotConnect(let detail): return error(.couldNotConnect, detail)
            case .timedOut(let phase): return error(.timedOut, phase)
            case .idle: return error(.tooSlow, "no data for \(configuration.idleTimeout ?? .zero)")
            case .connectionLost(let detail): return error(.connectionLost, detail)
            case .aborted: return CancellationError()
            }
        case let failure as HTTPResponseDecoder.Malformed:
            return error(.connectionLost, failure.description)
        case let failure as ResponseSink.Failure:
            switch failure {
            case .tooLarge(let limit): return error(.responseTooLarge, "the body is larger than \(limit) bytes")
            case .localFile(let detail): return error(.localFile, detail)
            }
        default:
            return error(.other, "\(failure)")
        }
    }
}

/// `open(2)`, out of reach of ``SocketExchange``'s method of the same name.
func posixOpen(_ path: String, _ flags: Int32, _ mode: mode_t = 0o644) -> Int32 {
    open(path, flags, mode)
}
