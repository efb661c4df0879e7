/// Where a streamed transfer delivers its response: the task waiting for the head, then the body
/// stream. Only the engine thread touches it.
final class CurlStreamSink: @unchecked Sendable {  // Confined to the engine thread once attached.
    private var head: CheckedContinuation<TransportStreamingResponse, any Error>?
    /// Held only until the head is handed over, so that a caller who drops the body ends the transfer.
    private var body: AsyncThrowingStream<[UInt8], any Error>?
    private let bodyContinuation: AsyncThrowingStream<[UInt8], any Error>.Continuation

    init(
        head: CheckedContinuation<TransportStreamingResponse, any Error>,
        body: AsyncThrowingStream<[UInt8], any Error>,
        bodyContinuation: AsyncThrowingStream<[UInt8], any Error>.Continuation
    ) {
        self.head = head
        self.body = body
        self.bodyContinuation = bodyContinuation
    }

    /// Resumes the waiting task with the head, once; later calls are ignored.
    func deliverHead(status: Int, headers: TransportHeaders) {
        guard let head, let body else { return }
        self.head = nil
        self.body = nil
        head.resume(returning: TransportStreamingResponse(status: status, headers: headers, body: body))
    }

    func yield(_ bytes: [UInt8]) {
        bodyContinuation.yield(bytes)
    }

    /// Ends the transfer: the head if it never came (a response without body, or the failure), then
    /// the body.
    func finish(_ result: Result<TransportResponse, any Error>) {
        switch result {
        case .success(let response):
            deliverHead(status: response.status, headers: response.headers)
            bodyContinuation.finish()
        case .failure(let error):
            if let head {
                self.head = nil
                self.body = nil
                head.resume(throwing: error)
            }
            bodyContinuation.finish(throwing: error)
        }
    }
}
