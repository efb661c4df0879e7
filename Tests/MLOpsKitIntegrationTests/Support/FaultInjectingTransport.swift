import Foundation
import Synchronization

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// A real transport with faults injected into chosen requests: the request is changed before it is
/// sent, refused without being sent, or its received file is damaged afterwards. Everything else goes
/// to the server unchanged.
final class FaultInjectingTransport: HTTPTransport {
    enum Fault: Sendable {
        /// Fail with this transport error instead of sending.
        case fail(HTTPTransportError.Code)
        /// Send `transform(request)` instead.
        case alter(@Sendable (TransportRequest) -> TransportRequest)
        /// Send it, then overwrite the first bytes written to a file destination.
        case corruptDownload
        /// Wait this long before sending (to let a test cancel mid-transfer).
        case delay(Duration)
        /// Run `action` (for example, change the object on the server), then send.
        case before(@Sendable () async throws -> Void)
    }

    let base: any HTTPTransport
    private let rule: @Sendable (TransportRequest, Int) -> Fault?
    private let counts = Mutex<[String: Int]>([:])
    private let log = Mutex<[String]>([])

    /// `rule(request, n)` picks the fault for the `n`th request (from 1) of its operation.
    init(base: any HTTPTransport = CurlTransport(), rule: @escaping @Sendable (TransportRequest, Int) -> Fault?) {
        self.base = base
        self.rule = rule
    }

    /// Operation names of the requests seen, in order.
    var operations: [String] { log.withLock { $0 } }

    func send(_ request: TransportRequest) async throws -> TransportResponse {
        let operation = request.operationName ?? ""
        let count = counts.withLock { counts in
            counts[operation, default: 0] += 1
            return counts[operation]!
        }
        log.withLock { $0.append(operation) }
        switch rule(request, count) {
        case nil:
            return try await base.send(request)
        case .fail(let code):
            throw HTTPTransportError(code: code, method: request.method, redactedURL: "injected", detail: "injected fault")
        case .alter(let transform):
            return try await base.send(transform(request))
        case .delay(let duration):
            try await Task.sleep(for: duration)
            return try await base.send(request)
        case .before(let action):
            try await action()
            return try await base.send(request)
        case .corruptDownload:
            let response = try await base.send(request)
            var offset: UInt64 = 0
            let file: URL
            switch request.responseDestination {
            case .file(let url): file = url
            case .fileRegion(let url, let start): (file, offset) = (url, UInt64(start))
            case .memory: return response
            }
            let handle = try FileHandle(forWritingTo: file)
            try handle.seek(toOffset: offset)
            try handle.write(contentsOf: Data("corrupted".utf8))
            try handle.close()
            return response
        }
    }
}
