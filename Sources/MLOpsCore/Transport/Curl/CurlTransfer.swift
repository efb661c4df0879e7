#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
internal import CCurl
internal import CCurlLoader
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One request in flight on a ``CurlMultiEngine``: the easy handle, its buffers and the waiting task.
///
/// Only the engine's thread touches the handle and buffers once the transfer is submitted; the
/// cancellation flag is the one piece shared with other threads, and it sits behind a mutex.
final class CurlTransfer: @unchecked Sendable {  // State is confined to the engine thread; see above.
    let request: TransportRequest
    let origin: String
    let redactedURL: String
    private let cancellation = Mutex(false)
    private var continuation: CheckedContinuation<TransportResponse, any Error>?
    /// Set for a streamed response (``CurlMultiEngine/stream(_:)``): the body goes there, not to memory.
    private var sink: CurlStreamSink?
    /// Whether the response is streamed; fixed at creation.
    let isStreaming: Bool

    private(set) var handle: UnsafeMutableRawPointer?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    // Request body.
    private var bodyBytes = Data()
    private var bodyOffset = 0
    private var bodyFileDescriptor: Int32 = -1
    /// Where the body starts in the file and how long it is (the whole file, or one region of it).
    private var bodyFileStart: Int64 = 0
    private var bodyFileLength: Int64 = 0

    // Response.
    private var responseHeaders = TransportHeaders()
    private var responseBody = Data()
    private var responseLimit = Int.max
    private var exceededLimit = false
    private var outputFileDescriptor: Int32 = -1
    /// The next offset to write at in a ``TransportRequest/ResponseDestination/fileRegion(_:offset:)``.
    private var outputFileOffset: Int64?
    private var outputTemporaryPath: String?
    private var localFileFailure: String?
    private(set) var startedAt = ContinuousClock.now
    /// Whether a response's status line arrived (the head may still be incomplete).
    private var receivedStatusLine = false
    /// Whether the final response's head arrived whole, up to its empty line. libcurl reports a
    /// connection closed in the middle of a head as a complete response.
    private var receivedWholeHead = false
    /// Set when a head announced two different body lengths, which ends the transfer: libcurl would
    /// take the last one, and a body framed by a guess is not a response.
    private var conflictingLengths: [String]?

    init(request: TransportRequest, streaming: Bool = false) {
        self.request = request
        self.isStreaming = streaming
        var normalised = request
        let (url, socketPath) = TransportRequest.resolveUnixSocketURL(request.url)
        normalised.url = url
        if normalised.unixSocketPath == nil { normalised.unixSocketPath = socketPath }
        self.origin = CurlTransfer.origin(of: normalised)
        self.redactedURL = Redaction.redact(request.url)
        self.normalisedRequest = normalised
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    private let normalisedRequest: TransportRequest

    deinit {
        releaseHandle()
        errorBuffer.deallocate()
    }

    // MARK: Cancellation (any thread)

    /// Marks the transfer cancelled. Returns `false` if it already was.
    func markCancelled() -> Bool {
        cancellation.withLock { cancelled in
            defer { cancelled = true }
            return !cancelled
        }
    }

    var isCancelled: Bool { cancellation.withLock { $0 } }

    // MARK: Engine thread

    func attach(_ continuation: CheckedContinuation<TransportResponse, any Error>) {
        self.continuation = continuation
    }

    func attach(_ sink: CurlStreamSink) {
        self.sink = sink
    }

    /// Resumes the waiting task once; later calls are ignored. A streamed response's body ends here.
    func finish(_ result: Result<TransportResponse, any Error>) {
        if let sink {
            self.sink = nil
            closeFiles(keepOutput: false)
            releaseHandle()
            sink.finish(result)
            return
        }
        guard let continuation else { return }
        self.continuation = nil
        closeFiles(keepOutput: false)
        releaseHandle()
        continuation.resume(with: result)
    }

    /// Makes and configures the easy handle. Throws when the request cannot be sent as asked.
    func prepare(configuration: CurlTransport.Configuration, reuseConnections: Bool) throws(HTTPTransportError) {
        guard let handle = mlopskit_curl_easy_init() else {
            throw failure(.other, "curl_easy_init failed")
        }
        self.handle = handle
        startedAt = .now
        let request = normalisedRequest

        try set(handle, CURLOPT_URL, request.url.absoluteString)
        try set(handle, CURLOPT_NOSIGNAL, 1)
        try set(handle, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer))
        try set(handle, CURLOPT_CONNECTTIMEOUT_MS, configuration.connectTimeout.milliseconds)
        // A stream may stay silent for hours: only its own timeout applies, and no low-speed limit.
        if let timeout = request.timeout ?? (isStreaming ? nil : configuration.requestTimeout) {
            try set(handle, CURLOPT_TIMEOUT_MS, timeout.milliseconds)
        }
        if !isStreaming, let lowSpeed = configuration.lowSpeedLimit {
            try set(handle, CURLOPT_LOW_SPEED_LIMIT, lowSpeed.bytesPerSecond)
            try set(handle, CURLOPT_LOW_SPEED_TIME, max(1, Int(lowSpeed.duration.components.seconds)))
        }
        try set(handle, CURLOPT_SSL_VERIFYPEER, configuration.tls.verifiesPeer ? 1 : 0)
        try set(handle, CURLOPT_SSL_VERIFYHOST, configuration.tls.verifiesPeer ? 2 : 0)
        if let bundle = configuration.tls.caBundlePath {
            try set(handle, CURLOPT_CAINFO, bundle)
        }
        if let socketPath = request.unixSocketPath {
            try set(handle, CURLOPT_UNIX_SOCKET_PATH, socketPath)
            try set(handle, CURLOPT_PROXY, "")
        } else if !configuration.usesEnvironmentProxies {
            try set(handle, CURLOPT_PROXY, "")
        } else {
            try set(handle, CURLOPT_NOPROXY, CurlTransfer.noProxyList)
        }
        if !reuseConnections {
            try set(handle, CURLOPT_FRESH_CONNECT, 1)
            try set(handle, CURLOPT_FORBID_REUSE, 1)
        }
        try set(handle, CURLOPT_FOLLOWLOCATION, 0)
        // A response whose status line is not HTTP/1.x is an error, never a body to keep.
        try set(handle, CURLOPT_HTTP09_ALLOWED, 0)
        // With a maximum set, libcurl refuses a Content-Length beyond 64 bits instead of ignoring it and
        // reading to the end of the connection.
        try setOff(handle, CURLOPT_MAXFILESIZE_LARGE, Int64.max)
        // Send the path as given: object keys may hold "./" or "../", and signatures cover the exact path.
        try set(handle, CURLOPT_PATH_AS_IS, 1)

        try configureMethodAndBody(handle, request)
        try configureHeaders(handle, request, userAgent: configuration.userAgent)
        try configureResponse(handle, request)
    }

    private func configureMethodAndBody(_ handle: UnsafeMutableRawPointer, _ request: TransportRequest) throws(HTTPTransportError) {
        let method = request.method
        var bodyLength: Int64?
        switch request.body {
        case .none:
            if method == .post || method == .put || method == .patch { bodyLength = 0 }
        case .bytes(let data):
            bodyBytes = data
            bodyLength = Int64(data.count)
        case .file(let url):
            let size = try openBody(url)
            bodyLength = size
            bodyFileLength = size
        case .fileRegion(let url, let offset, let length):
            let size = try openBody(url)
            guard offset >= 0, length >= 0, offset <= size, length <= size - offset else {
                throw failure(
                    .localFile, "request body region \(offset)+\(length) lies outside \(url.path) (\(size) bytes)")
            }
            bodyFileStart = offset
            bodyFileLength = length
            bodyLength = length
        }

        if method == .head {
            try set(handle, CURLOPT_NOBODY, 1)
        } else if let bodyLength {
            try set(handle, CURLOPT_UPLOAD, 1)
            try setOff(handle, CURLOPT_INFILESIZE_LARGE, bodyLength)
            try check(mlopskit_easy_setopt_data_callback(handle, CURLOPT_READFUNCTION, curlReadCallback))
            try set(handle, CURLOPT_READDATA, Unmanaged.passUnretained(self).toOpaque())
            try check(mlopskit_easy_setopt_seek_callback(handle, curlSeekCallback))
            try set(handle, CURLOPT_SEEKDATA, Unmanaged.passUnretained(self).toOpaque())
        } else {
            try set(handle, CURLOPT_HTTPGET, 1)
        }
        if method != .get && method != .head && !(method == .put && bodyLength != nil) {
            try set(handle, CURLOPT_CUSTOMREQUEST, method.rawValue)
        }
    }

    /// Opens a request body file and returns its size.
    private func openBody(_ url: URL) throws(HTTPTransportError) -> Int64 {
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw failure(.localFile, "cannot open request body \(url.path): \(String(cString: strerror(errno)))")
        }
        bodyFileDescriptor = descriptor
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw failure(.localFile, "cannot stat request body \(url.path)")
        }
        return Int64(info.st_size)
    }

    private func configureHeaders(_ handle: UnsafeMutableRawPointer, _ request: TransportRequest, userAgent: String) throws(HTTPTransportError) {
        var list: UnsafeMutablePointer<curl_slist>?
        for field in request.headers {
            // Checked byte-wise: "\r\n" is a single Character in Swift.
            guard !field.name.utf8.contains(where: { $0 == UInt8(ascii: ":") || $0 == 13 || $0 == 10 }),
                !field.value.utf8.contains(where: { $0 == 13 || $0 == 10 })
            else {
                mlopskit_curl_slist_free_all(list)
                throw failure(.invalidRequest, "header \(field.name) contains a line break or colon")
            }
            // "Name;" is libcurl's way to send a header with an empty value.
            let line = field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)"
            list = mlopskit_curl_slist_append(list, line)
        }
        if !request.headers.contains("User-Agent") {
            list = mlopskit_curl_slist_append(list, "User-Agent: \(userAgent)")
        }
        // No "Expect: 100-continue" round trip before uploads.
        if !request.headers.contains("Expect") {
            list = mlopskit_curl_slist_append(list, "Expect:")
        }
        if request.body != .none, !request.headers.contains("Content-Type") {
            list = mlopskit_curl_slist_append(list, "Content-Type: application/octet-stream")
        }
        headerList = list
        try set(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(list))
    }

    private func configureResponse(_ handle: UnsafeMutableRawPointer, _ request: TransportRequest) throws(HTTPTransportError) {
        switch request.responseDestination {
        case .memory(let limit):
            responseLimit = limit
        case .file(let destination):
            let directory = destination.deletingLastPathComponent().path
            let temporary = "\(directory)/.\(destination.lastPathComponent).partial-\(UInt32.random(in: 0...UInt32.max))"
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw failure(.localFile, "cannot create \(temporary): \(String(cString: strerror(errno)))")
            }
            outputFileDescriptor = descriptor
            outputTemporaryPath = temporary
            responseLimit = 1 << 20  // for an error document in place of the file
        case .fileRegion(let destination, let offset):
            let descriptor = open(destination.path, O_WRONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw failure(.localFile, "cannot open \(destination.path): \(String(cString: strerror(errno)))")
            }
            outputFileDescriptor = descriptor
            outputFileOffset = offset
            responseLimit = 1 << 20
        }
        try check(mlopskit_easy_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, curlWriteCallback))
        try set(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(self).toOpaque())
        try check(mlopskit_easy_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, curlHeaderCallback))
        try set(handle, CURLOPT_HEADERDATA, Unmanaged.passUnretained(self).toOpaque())
    }

    // MARK: Completion

    /// Timing facts of a finished transfer, for the connection-reuse policy and debug logs.
    struct Timing {
        var reusedConnection: Bool
        var firstByte: Double
        var total: Double
        var downloadedBytes: Int64
    }

    func timing() -> Timing? {
        guard let handle else { return nil }
        var connects = 0
        var firstByte = 0.0
        var total = 0.0
        var downloaded: curl_off_t = 0
        _ = mlopskit_easy_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &connects)
        _ = mlopskit_easy_getinfo_double(handle, CURLINFO_STARTTRANSFER_TIME, &firstByte)
        _ = mlopskit_easy_getinfo_double(handle, CURLINFO_TOTAL_TIME, &total)
        _ = mlopskit_easy_getinfo_off(handle, CURLINFO_SIZE_DOWNLOAD_T, &downloaded)
        return Timing(reusedConnection: connects == 0, firstByte: firstByte, total: total, downloadedBytes: Int64(downloaded))
    }

    /// Turns libcurl's result into the response or the error for the waiting task.
    func complete(code: CURLcode) -> Result<TransportResponse, any Error> {
        guard let handle else { return .failure(failure(.other, "transfer has no handle")) }
        if code != CURLE_OK {
            return .failure(error(for: code))
        }
        guard receivedWholeHead else {
            return .failure(failure(.connectionLost, "the connection closed before the response head was complete"))
        }
        var status = 0
        _ = mlopskit_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var response = TransportResponse(status: status, headers: responseHeaders, body: responseBody)
        if case .fileRegion = request.responseDestination {
            if let problem = localFileFailure { return .failure(failure(.localFile, problem)) }
            closeFiles(keepOutput: true)
        }
        if case .file(let destination) = request.responseDestination {
            if let problem = localFileFailure {
                return .failure(failure(.localFile, problem))
            }
            if response.isSuccess {
                closeFiles(keepOutput: true)
                guard let temporary = outputTemporaryPath, rename(temporary, destination.path) == 0 else {
                    let reason = String(cString: strerror(errno))
                    closeFiles(keepOutput: false)
                    return .failure(failure(.localFile, "cannot move download into \(destination.path): \(reason)"))
                }
                outputTemporaryPath = nil
                response.body = Data()
            } else {
                closeFiles(keepOutput: false)
            }
        }
        return .success(response)
    }

    private func error(for code: CURLcode) -> HTTPTransportError {
        let detail = String(cString: errorBuffer).trimmingWhitespaceAndNewlines()
        let text = detail.isEmpty ? String(cString: mlopskit_curl_easy_strerror(code)) : detail
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return failure(.couldNotResolveHost, text)
        case CURLE_COULDNT_CONNECT:
            return failure(.couldNotConnect, text)
        case CURLE_OPERATION_TIMEDOUT:
            return failure(text.lowercased().contains("too slow") ? .tooSlow : .timedOut, text)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE,
            CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_CRL_BADFILE:
            return failure(.tls, text)
        case CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_PARTIAL_FILE, CURLE_HTTP2,
            CURLE_HTTP2_STREAM:
            return failure(.connectionLost, text)
        case CURLE_WRITE_ERROR:
            if let lengths = conflictingLengths {
                return failure(
                    .connectionLost, "malformed HTTP response: conflicting Content-Length \(lengths.joined(separator: ", "))")
            }
            if exceededLimit {
                return failure(.responseTooLarge, "response body larger than \(responseLimit) bytes")
            }
            return failure(.localFile, localFileFailure ?? text)
        case CURLE_READ_ERROR, CURLE_ABORTED_BY_CALLBACK:
            return failure(.localFile, localFileFailure ?? text)
        case CURLE_FILESIZE_EXCEEDED:
            return failure(.responseTooLarge, "the response announced a body larger than can be received (\(text))")
        case CURLE_OUT_OF_MEMORY where receivedStatusLine, CURLcode(rawValue: 100):  // 100: CURLE_TOO_LARGE, libcurl 8.6+
            // libcurl refuses a response head beyond its limit (100 KiB to 300 KiB, by version).
            return failure(.responseTooLarge, "the response head is larger than libcurl accepts (\(text))")
        case CURLE_UNSUPPORTED_PROTOCOL where requestWasSent:
            // A reply that is not HTTP/1.x (libcurl calls it HTTP/0.9): the server's fault, not the
            // request's. Like every malformed response, reported as a broken connection.
            return failure(.connectionLost, "malformed HTTP response: not an HTTP/1.x status line (\(text))")
        case CURLE_WEIRD_SERVER_REPLY:
            return failure(.connectionLost, "malformed HTTP response (\(text))")
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT:
            return failure(.invalidRequest, text)
        default:
            return failure(.other, text)
        }
    }

    /// Whether libcurl sent the request's head.
    private var requestWasSent: Bool {
        guard let handle else { return false }
        var size = 0
        _ = mlopskit_easy_getinfo_long(handle, CURLINFO_REQUEST_SIZE, &size)
        return size > 0
    }

    func failure(_ code: HTTPTransportError.Code, _ detail: String) -> HTTPTransportError {
        HTTPTransportError(code: code, method: request.method, redactedURL: redactedURL, detail: detail)
    }

    private func closeFiles(keepOutput: Bool) {
        if bodyFileDescriptor >= 0 {
            close(bodyFileDescriptor)
            bodyFileDescriptor = -1
        }
        if outputFileDescriptor >= 0 {
            close(outputFileDescriptor)
            outputFileDescriptor = -1
        }
        if !keepOutput, let temporary = outputTemporaryPath {
            unlink(temporary)
            outputTemporaryPath = nil
        }
    }

    private func releaseHandle() {
        if let handle {
            mlopskit_curl_easy_cleanup(handle)
            self.handle = nil
        }
        if let headerList {
            mlopskit_curl_slist_free_all(headerList)
            self.headerList = nil
        }
        closeFiles(keepOutput: false)
    }

    // MARK: Callbacks (engine thread, inside curl_multi_perform)

    fileprivate func readBody(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        if bodyFileDescriptor >= 0 {
            let wanted = Int(min(Int64(capacity), bodyFileLength - Int64(bodyOffset)))
            guard wanted > 0 else { return 0 }
            let count = pread(bodyFileDescriptor, buffer, wanted, off_t(bodyFileStart + Int64(bodyOffset)))
            if count < 0 {
                localFileFailure = "cannot read request body: \(String(cString: strerror(errno)))"
                return Int(CURL_READFUNC_ABORT)
            }
            if count == 0 {
                localFileFailure = "request body file shrank while it was sent"
                return Int(CURL_READFUNC_ABORT)
            }
            bodyOffset += count
            return count
        }
        let count = min(capacity, bodyBytes.count - bodyOffset)
        guard count > 0 else { return 0 }
        bodyBytes.withUnsafeBytes { bytes in
            UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + bodyOffset, byteCount: count)
        }
        bodyOffset += count
        return count
    }

    fileprivate func seekBody(to offset: Int64) -> Int32 {
        let length = bodyFileDescriptor >= 0 ? bodyFileLength : Int64(bodyBytes.count)
        guard offset >= 0, offset <= length else { return CURL_SEEKFUNC_FAIL }
        bodyOffset = Int(offset)
        return CURL_SEEKFUNC_OK
    }

    fileprivate func receive(_ buffer: UnsafeMutablePointer<CChar>, count: Int) -> Int {
        var status = 0
        if let handle { _ = mlopskit_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status) }
        if let sink {
            sink.deliverHead(status: status, headers: responseHeaders)
            sink.yield(Array(UnsafeRawBufferPointer(start: buffer, count: count)))
            return count
        }
        if outputFileDescriptor >= 0, (200..<300).contains(status) {
            var written = 0
            while written < count {
                let result: Int
                if let offset = outputFileOffset {
                    result = pwrite(outputFileDescriptor, buffer + written, count - written, off_t(offset))
                    if result > 0 { outputFileOffset = offset + Int64(result) }
                } else {
                    result = write(outputFileDescriptor, buffer + written, count - written)
                }
                if result < 0 {
                    if errno == EINTR { continue }
                    localFileFailure = "cannot write download: \(String(cString: strerror(errno)))"
                    return 0
                }
                written += result
            }
            return count
        }
        if responseBody.count + count > responseLimit {
            exceededLimit = true
            return 0
        }
        responseBody.append(UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self), count: count)
        return count
    }

    fileprivate func receiveHeader(_ buffer: UnsafeMutablePointer<CChar>, count: Int) -> Int {
        let line = String(decoding: UnsafeRawBufferPointer(start: buffer, count: count), as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            receivedStatusLine = true
            receivedWholeHead = false
            responseHeaders = TransportHeaders()  // keep only the final response's fields (after 1xx)
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].trimmingWhitespace()
            let value = line[line.index(after: colon)...].trimmingWhitespaceAndNewlines()
            responseHeaders.add(name: name, value: value)
        } else if line == "\r\n" || line == "\n" {
            // The end of a head: hand it over unless it was an interim (1xx) response.
            var status = 0
            if let handle { _ = mlopskit_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status) }
            if status >= 200 {
                let lengths = Set(
                    responseHeaders.values(for: "Content-Length").flatMap { $0.split(separator: ",") }
                        .map { $0.trimmingWhitespace() })
                if lengths.count > 1 {
                    conflictingLengths = lengths.sorted()
                    return 0  // aborts the transfer (CURLE_WRITE_ERROR)
                }
                receivedWholeHead = true
                sink?.deliverHead(status: status, headers: responseHeaders)
            }
        }
        return count
    }

    // MARK: Helpers

    private func check(_ code: CURLcode) throws(HTTPTransportError) {
        guard code == CURLE_OK else {
            throw failure(.invalidRequest, String(cString: mlopskit_curl_easy_strerror(code)))
        }
    }

    private func set(_ handle: UnsafeMutableRawPointer, _ option: CURLoption, _ value: Int) throws(HTTPTransportError) {
        try check(mlopskit_easy_setopt_long(handle, option, value))
    }

    private func setOff(_ handle: UnsafeMutableRawPointer, _ option: CURLoption, _ value: Int64) throws(HTTPTransportError) {
        try check(mlopskit_easy_setopt_off(handle, option, value))
    }

    private func set(_ handle: UnsafeMutableRawPointer, _ option: CURLoption, _ value: String) throws(HTTPTransportError) {
        try check(mlopskit_easy_setopt_string(handle, option, value))
    }

    private func set(_ handle: UnsafeMutableRawPointer, _ option: CURLoption, _ value: UnsafeMutableRawPointer?) throws(HTTPTransportError) {
        try check(mlopskit_easy_setopt_pointer(handle, option, value))
    }

    /// Hosts that are never sent through a proxy, on top of the environment's `NO_PROXY`.
    static let noProxyList: String = {
        let environment = ProcessInfo.processInfo.environment
        let fromEnvironment = environment["NO_PROXY"] ?? environment["no_proxy"] ?? ""
        let loopback = "localhost,127.0.0.1,::1"
        return fromEnvironment.isEmpty ? loopback : "\(fromEnvironment),\(loopback)"
    }()

    static func origin(of request: TransportRequest) -> String {
        if let socket = request.unixSocketPath { return "unix:\(socket)" }
        let url = request.url
        return "\(url.scheme ?? "http")://\(url.host ?? ""):\(url.port ?? (url.scheme == "https" ? 443 : 80))"
    }
}

private func transfer(_ context: UnsafeMutableRawPointer?) -> CurlTransfer? {
    guard let context else { return nil }
    return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
}

private let curlReadCallback: mlopskit_data_callback = { buffer, size, count, context in
    transfer(context)?.readBody(into: buffer, capacity: size * count) ?? Int(CURL_READFUNC_ABORT)
}

private let curlSeekCallback: mlopskit_seek_callback = { context, offset, origin in
    guard origin == SEEK_SET else { return CURL_SEEKFUNC_CANTSEEK }
    return transfer(context)?.seekBody(to: Int64(offset)) ?? CURL_SEEKFUNC_FAIL
}

private let curlWriteCallback: mlopskit_data_callback = { buffer, size, count, context in
    transfer(context)?.receive(buffer, count: size * count) ?? 0
}

private let curlHeaderCallback: mlopskit_data_callback = { buffer, size, count, context in
    transfer(context)?.receiveHeader(buffer, count: size * count) ?? 0
}

extension Duration {
    /// The duration in whole milliseconds, at least 1 for any positive duration.
    package var milliseconds: Int {
        let (seconds, attoseconds) = components
        let total = Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
        return total == 0 && attoseconds > 0 ? 1 : total
    }
}
