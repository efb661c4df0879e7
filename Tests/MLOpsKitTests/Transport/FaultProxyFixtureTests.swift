import Foundation
import MLOpsKitTestSupport
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// The fault proxy (`Tests/Fixtures/fault_proxy.py`) in front of the local test HTTP server, through
/// `CurlTransport` without retries: requests and bodies pass through unchanged, each fault mode gives the
/// failure it promises, and `after`, `count` and `methods` choose which requests are faulted. The
/// integration tests that put it in front of MLflow and S3 rely on all of this.
@Suite("The fault proxy in front of a local HTTP server")
struct FaultProxyFixtureTests {
    private struct Echo: Decodable {
        var method: String
        var body_length: Int
    }

    private func proxy(stallSeconds: Double = 30) throws -> FaultProxy {
        try FaultProxy(upstream: TestHTTPServer.shared.baseURL, stallSeconds: stallSeconds)
    }

    private func url(_ proxy: FaultProxy, _ path: String) throws -> URL {
        try #require(URL(string: proxy.url.absoluteString + path))
    }

    @Test func passesRequestsAndBodiesThroughUnchanged() async throws {
        let proxy = try proxy()
        let transport = CurlTransport()
        let download = try await transport.send(TransportRequest(url: try url(proxy, "/bytes/300000"), timeout: .seconds(10)))
        #expect(download.status == 200)
        #expect(download.body.count == 300_000)
        #expect(download.body.enumerated().allSatisfy { $0.element == UInt8($0.offset % 251) })
        let payload = Data((0..<1_000_000).map { UInt8($0 % 256) })
        let upload = try await transport.send(
            TransportRequest(method: .put, url: try url(proxy, "/echo"), body: .bytes(payload), timeout: .seconds(10)))
        let echo = try JSONDecoder().decode(Echo.self, from: upload.body)
        #expect(echo.method == "PUT" && echo.body_length == payload.count)
        let stats = try await proxy.stats()
        #expect(stats.requests == 2 && stats.passed == 2 && stats.faults == 0, "\(stats)")
    }

    @Test(arguments: [FaultProxy.Mode.reset, .truncate, .garbage])
    func brokenResponsesAreConnectionsLost(_ mode: FaultProxy.Mode) async throws {
        let proxy = try proxy()
        try await proxy.setMode(mode)
        let error = await #expect(throws: HTTPTransportError.self) {
            try await CurlTransport().send(TransportRequest(url: try url(proxy, "/bytes/300000"), timeout: .seconds(10)))
        }
        #expect(error?.code == .connectionLost, "\(String(describing: error))")
        #expect(try await proxy.stats().faults == 1)
    }

    @Test func stallOutlastsTheRequestTimeout() async throws {
        let proxy = try proxy(stallSeconds: 30)
        try await proxy.setMode(.stall)
        let error = await #expect(throws: HTTPTransportError.self) {
            try await CurlTransport().send(TransportRequest(url: try url(proxy, "/bytes/10"), timeout: .seconds(1)))
        }
        #expect(error?.code == .timedOut, "\(String(describing: error))")
    }

    @Test func errorModeIsAStormOf5xx() async throws {
        let proxy = try proxy()
        try await proxy.setMode(.error)
        try await proxy.resetCounters()
        let transport = CurlTransport()
        var statuses: [Int] = []
        for _ in 0..<5 {
            statuses.append(try await transport.send(TransportRequest(url: try url(proxy, "/bytes/10"), timeout: .seconds(10))).status)
        }
        #expect(statuses == [500, 502, 503, 504, 500])
    }

    @Test func afterCountAndMethodsChooseTheFaultedRequests() async throws {
        let proxy = try proxy()
        try await proxy.setMode(.error, after: 1, count: 2, methods: ["GET"])
        let transport = CurlTransport()
        func status(_ method: TransportMethod) async throws -> Int {
            try await transport.send(
                TransportRequest(method: method, url: try url(proxy, "/echo"), body: method == .get ? .none : .bytes(Data("x".utf8)),
                    timeout: .seconds(10))
            ).status
        }
        // The first GET passes (after 1), a POST is not a GET, the next two GETs are faulted (count 2),
        // then every request passes again.
        #expect(try await status(.get) == 200)
        #expect(try await status(.post) == 200)
        #expect(try await status(.get) >= 500)
        #expect(try await status(.get) >= 500)
        #expect(try await status(.get) == 200)
        let stats = try await proxy.stats()
        #expect(stats.faults == 2 && stats.passed == 3, "\(stats)")
        // Back to passing everything.
        try await proxy.setMode(.pass)
        #expect(try await status(.get) == 200)
    }
}
