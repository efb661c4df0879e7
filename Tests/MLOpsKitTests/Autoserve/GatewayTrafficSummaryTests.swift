import Foundation
import MLOpsKitTestSupport
import Testing

@testable import MLOpsAutoserve
@testable import MLOpsCore
@testable import MLOpsServing

/// Per-key traffic as `/status` shows it, on a manual clock.
@Suite struct GatewayTrafficSummaryTests {
    static let key = ServingKey(model: "iris model", alias: "Production")

    static func record(_ summary: GatewayTrafficSummary, _ target: UpstreamTarget?, status: Int, alias: String = "Production") {
        summary.requestFinished(
            GatewayRequestRecord(
                target: target, model: "iris model", alias: alias, method: "POST", handler: "/invocations", status: status,
                duration: .milliseconds(3), requestBytes: 10, responseBytes: 20))
    }

    @Test func ratesAndErrorRatiosCoverAboutTheLastMinute() {
        let manual = ManualClock()
        let summary = GatewayTrafficSummary(baseURL: "http://127.0.0.1:0", clock: ServingClock(manual, wallTimeAtStart: Date()))
        summary.gatewayBound(to: "0.0.0.0:9102")
        #expect(summary.url(for: Self.key) == "http://127.0.0.1:9102/models/iris%20model/Production")
        let target = UpstreamTarget(key: Self.key, instanceID: "i", version: "3", endpoint: URL(string: "http://127.0.0.1:1")!)
        #expect(summary.summary().isEmpty)

        // 60 requests over the first minute, 6 of them 5xx.
        for index in 0..<60 { Self.record(summary, target, status: index.isMultiple(of: 10) ? 503 : 200) }
        manual.advance(by: .seconds(60))
        let first = summary.summary()[Self.key]
        #expect(first?.requestsPerSecond == 1)
        #expect(first?.errorRatio == 0.1)

        // The next minute: 120 requests, none failing; the baseline moves on.
        for _ in 0..<120 { Self.record(summary, target, status: 200) }
        manual.advance(by: .seconds(60))
        let second = summary.summary()[Self.key]
        #expect(second?.requestsPerSecond == 2)
        #expect(second?.errorRatio == 0)

        // A client's made-up key never enters the table; the gateway's answers for a known key count.
        Self.record(summary, nil, status: 404, alias: "Nope")
        Self.record(summary, nil, status: 503)
        #expect(summary.summary().keys.map(\.alias) == ["Production"])
    }

    @Test func theResolverPrefersTheGatewaysStableRoute() throws {
        var status = ServingStatus(
            model: "iris", alias: "Production", servingVersion: "3", endpoint: "http://127.0.0.1:5001", instanceID: "i3",
            state: .ready, since: Date(timeIntervalSince1970: 1_800_000_000))
        status.gatewayURL = "http://127.0.0.1:9102/models/iris/Production"
        let document = AutoserveStatusDocument(runtime: "process", aliases: ["Production"], lastSync: nil, lastSyncError: nil, keys: [status])
        let endpoint = try ServingEndpointResolver.endpoint(
            for: ServingKey(model: "iris", alias: "Production"), in: document, agentURL: "http://a")
        #expect(endpoint.url.absoluteString == "http://127.0.0.1:9102/models/iris/Production")
        #expect(endpoint.source == .gateway(agent: "http://a"))
        #expect(endpoint.version == "3")
        // The document round-trips the new fields under their snake_case names.
        let data = try AutoserveStatusDocument.makeEncoder().encode(document)
        #expect(String(decoding: data, as: UTF8.self).contains("\"gateway_url\""))
        #expect(try AutoserveStatusDocument.makeDecoder().decode(AutoserveStatusDocument.self, from: data) == document)
    }
}
