import Foundation
import MLOpsKit
import MLOpsKitTestSupport
import Prometheus
import Testing

@testable import MLOpsAutoserve
@testable import MLOpsCore

/// Canary and shadow rules: how they read, how the route table splits by them, and the settings.
@Suite struct GatewayCanaryTests {
    let production = ServingKey(model: "iris", alias: "Production")
    let challenger = ServingKey(model: "iris", alias: "Challenger")

    func instance(_ id: String, key: ServingKey, version: String, port: Int) -> ServingInstance {
        ServingInstance(
            id: id, name: ServingNames.stable(for: key), labels: [ServingLabels.version: version], state: .running,
            endpoint: URL(string: "http://127.0.0.1:\(port)"))
    }

    @Test func canaryListsRead() throws {
        #expect(try CanaryRule.parseList("Production=Challenger:10") == [CanaryRule(primary: "Production", canary: "Challenger", basisPoints: 1000)])
        let two = try CanaryRule.parseList(" Production = Challenger : 2.5 , Staging=B:0.05,")
        #expect(two.map(\.basisPoints) == [250, 5])
        #expect(two.map(\.description) == ["Production=Challenger:2.5", "Staging=B:0.05"])
        #expect(try CanaryRule.parseList("A=B:100").first?.basisPoints == 10_000)
        #expect(try CanaryRule.parseList("A=B:0").first?.basisPoints == 0)
        #expect(try CanaryRule.parseList("").isEmpty)
        for (text, error) in [
            ("Production", TrafficRuleError.malformed(entry: "Production")), ("A=B", .malformed(entry: "A=B")),
            ("=B:1", .malformed(entry: "=B:1")), ("A=:5", .malformed(entry: "A=:5")),
            ("A=B:101", .percentOutOfRange(entry: "A=B:101")), ("A=B:-1", .percentOutOfRange(entry: "A=B:-1")),
            ("A=B:ten", .percentOutOfRange(entry: "A=B:ten")), ("A=B:1.005", .percentOutOfRange(entry: "A=B:1.005")),
            ("A=A:5", .sameAlias(entry: "A=A:5")), ("A=B:1,A=C:2", .duplicate(alias: "A")),
        ] {
            #expect(throws: error, "\(text)") { try CanaryRule.parseList(text) }
        }
    }

    @Test func shadowListsRead() throws {
        #expect(try ShadowRule.parseList("Production=Test, Staging=Next") == [
            ShadowRule(primary: "Production", shadow: "Test"), ShadowRule(primary: "Staging", shadow: "Next"),
        ])
        #expect(throws: TrafficRuleError.sameAlias(entry: "A=A")) { try ShadowRule.parseList("A=A") }
        #expect(throws: TrafficRuleError.malformed(entry: "A=B:5")) { try ShadowRule.parseList("A=B:5") }
        #expect(throws: TrafficRuleError.malformed(entry: "A")) { try ShadowRule.parseList("A") }
    }

    @Test func settingsReadTheVariablesAndNameThemOnBadInput() throws {
        func settings(_ environment: [String: String]) throws -> AutoserveAgentSettings {
            let resolved = ConfigurationLoader.resolve(environment: environment, dotEnv: nil)
            return try AutoserveAgentSettings(resolved: resolved)
        }
        let read = try settings(["MLFLOW_SERVE_CANARY": "Production=Challenger:10,Staging=B:2.5", "MLFLOW_SERVE_SHADOW": "Production=Test"])
        #expect(read.canaries.map(\.description) == ["Production=Challenger:10", "Staging=B:2.5"])
        #expect(read.shadows == [ShadowRule(primary: "Production", shadow: "Test")])
        #expect(read.description.contains("canaries: Production=Challenger:10,Staging=B:2.5"))
        #expect(try settings([:]).canaries.isEmpty)
        for (name, value) in [
            ("MLFLOW_SERVE_CANARY", "Production"), ("MLFLOW_SERVE_CANARY", "A=B:150"), ("MLFLOW_SERVE_CANARY", "A=A:5"),
            ("MLFLOW_SERVE_SHADOW", "Production"), ("MLFLOW_SERVE_SHADOW", "A=A"),
        ] {
            let error = #expect(throws: ConfigurationError.self) { try settings([name: value]) }
            #expect(error?.key == name, "\(name)=\(value)")
            #expect(error.map { "\($0)".contains(name) } == true, "\(name)=\(value)")
        }
        let range = #expect(throws: ConfigurationError.self) { try settings(["MLFLOW_SERVE_CANARY": "A=B:150"]) }
        #expect(range?.code == .outOfRange)
    }

    @Test func aSeededSplitSendsItsShareToTheCanaryWhileBothAreServed() throws {
        let table = GatewayRouteTable(canaries: [CanaryRule(primary: "Production", canary: "Challenger", basisPoints: 1000)])
        table.serve(production, instance: instance("p", key: production, version: "1", port: 5001))
        var random = SplitMix64(seed: 42)
        func canaryShare(_ draws: Int) -> Double {
            var canary = 0
            for _ in 0..<draws {
                guard case .target(let target) = table.lease(for: production, draw: random.next()) else { continue }
                if target.key == challenger { canary += 1 }
                target.release()
            }
            return Double(canary) / Double(draws)
        }
        // Challenger not served: everything goes to Production.
        #expect(canaryShare(200) == 0)
        table.serve(challenger, instance: instance("c", key: challenger, version: "2", port: 5002))
        let share = canaryShare(2000)
        #expect(abs(share - 0.10) <= 0.02, "canary share \(share)")
        // Challenger's own requests are not split.
        guard case .target(let own) = table.lease(for: challenger, draw: 0) else { Issue.record("no target"); return }
        #expect(own.key == challenger)
        own.release()
        // The canary unavailable: back to Production.
        table.unavailable(challenger, retryAfter: .seconds(5))
        #expect(canaryShare(200) == 0)
        // Production unavailable: no split to the canary either.
        table.serve(challenger, instance: instance("c", key: challenger, version: "2", port: 5002))
        table.unavailable(production, retryAfter: .seconds(5))
        guard case .unavailable = table.lease(for: production, draw: 0) else { Issue.record("routed"); return }
        // The draw decides: below the share → canary.
        table.serve(production, instance: instance("p", key: production, version: "1", port: 5001))
        guard case .target(let low) = table.lease(for: production, draw: 999),
            case .target(let high) = table.lease(for: production, draw: 1000)
        else { Issue.record("no target"); return }
        #expect(low.key == challenger && high.key == production)
        low.release()
        high.release()
        #expect(table.canaries.map(\.description) == ["Production=Challenger:10"])
    }

    @Test func shadowLeasesNeedTheShadowServed() {
        let table = GatewayRouteTable(shadows: [ShadowRule(primary: "Production", shadow: "Challenger")])
        table.serve(production, instance: instance("p", key: production, version: "1", port: 5001))
        #expect(table.shadowLease(for: production) == nil)
        table.serve(challenger, instance: instance("c", key: challenger, version: "2", port: 5002))
        let shadow = table.shadowLease(for: production)
        #expect(shadow?.key == challenger)
        #expect(shadow?.requestsInFlight == 1)
        shadow?.release()
        #expect(table.shadowLease(for: challenger) == nil)
    }

    @Test func splitMix64IsRepeatable() {
        var a = SplitMix64(seed: 7)
        var b = SplitMix64(seed: 7)
        #expect((0..<5).map { _ in a.next() } == (0..<5).map { _ in b.next() })
        var zero = SplitMix64(seed: 0)
        #expect(zero.next() == 0xE220_A839_7B1D_CDAF)
    }
}

/// What the canary gauge and the shadow counters show, and how two answers compare.
@Suite struct GatewayTrafficMetricsTests {
    let production = ServingKey(model: "iris", alias: "Production")
    let challenger = ServingKey(model: "iris", alias: "Challenger")

    func instance(_ id: String, key: ServingKey, port: Int) -> ServingInstance {
        ServingInstance(
            id: id, name: ServingNames.stable(for: key), labels: [ServingLabels.version: "1"], state: .running,
            endpoint: URL(string: "http://127.0.0.1:\(port)"))
    }

    func lines(_ registry: PrometheusCollectorRegistry) -> Set<String> {
        seriesLines(MetricsExposition(registries: [registry]).renderString())
    }

    @Test func theCanaryGaugeFollowsTheModelsWithBothAliasesServed() {
        let registry = PrometheusCollectorRegistry()
        let metrics = GatewayMetrics(registry: registry)
        let table = GatewayRouteTable(
            canaries: [CanaryRule(primary: "Production", canary: "Challenger", basisPoints: 250)], onCanaries: metrics.publishCanaries)
        let gauge = #"autoserve_gateway_canary_basis_points{model="iris",alias="Production",canary="Challenger"} 250.0"#
        table.serve(production, instance: instance("p", key: production, port: 5001))
        #expect(!lines(registry).contains(gauge))
        table.serve(challenger, instance: instance("c", key: challenger, port: 5002))
        #expect(lines(registry).contains(gauge))
        table.unavailable(challenger, retryAfter: .seconds(1))
        #expect(!lines(registry).contains { $0.hasPrefix("autoserve_gateway_canary_basis_points") })
        table.serve(challenger, instance: instance("c", key: challenger, port: 5002))
        #expect(lines(registry).contains(gauge))
        table.setCanaries([])
        #expect(!lines(registry).contains { $0.hasPrefix("autoserve_gateway_canary_basis_points") })
    }

    @Test func shadowOutcomesAreCountedByResult() {
        let registry = PrometheusCollectorRegistry()
        let metrics = GatewayMetrics(registry: registry)
        metrics.shadowCompared(model: "iris", alias: "Production", shadow: "Test", result: .agree)
        metrics.shadowCompared(model: "iris", alias: "Production", shadow: "Test", result: .agree)
        metrics.shadowCompared(model: "iris", alias: "Production", shadow: "Test", result: .error)
        metrics.shadowDropped(model: "iris", alias: "Production", shadow: "Test")
        let lines = lines(registry)
        let labels = #"model="iris",alias="Production",shadow="Test""#
        #expect(lines.contains(#"autoserve_shadow_comparisons_total{\#(labels),result="agree"} 2"#))
        #expect(lines.contains(#"autoserve_shadow_comparisons_total{\#(labels),result="error"} 1"#))
        #expect(lines.contains(#"autoserve_shadow_requests_dropped_total{\#(labels)} 1"#))
    }

    @Test func answersCompareByPredictionsWithinARelativeTolerance() {
        func answer(_ text: String, status: Int = 200) -> ShadowAnswer { .answered(status: status, body: Array(text.utf8)) }
        let one = answer(#"{"predictions": [1.0, 2.5], "version": "1"}"#)
        #expect(ShadowComparison.compare(primary: one, shadow: answer(#"{"predictions": [1.0000000000001, 2.5], "version": "2"}"#)) == .agree)
        #expect(ShadowComparison.compare(primary: one, shadow: answer(#"{"predictions": [1.001, 2.5]}"#)) == .disagree)
        #expect(ShadowComparison.compare(primary: one, shadow: answer(#"{"predictions": [1.0]}"#)) == .disagree)
        // Without predictions, the whole documents.
        #expect(ShadowComparison.compare(primary: answer(#"[[1, "a"]]"#), shadow: answer(#"[[1.0, "a"]]"#)) == .agree)
        #expect(ShadowComparison.compare(primary: answer(#"{"a": 1}"#), shadow: answer(#"{"a": 1, "b": 2}"#)) == .disagree)
        #expect(ShadowComparison.compare(primary: one, shadow: answer("{}", status: 500)) == .error)
        #expect(ShadowComparison.compare(primary: one, shadow: answer("not json")) == .error)
        #expect(ShadowComparison.compare(primary: one, shadow: .failed) == .error)
        #expect(ShadowComparison.compare(primary: .failed, shadow: one) == .error)
        #expect(ShadowComparison.compare(primary: answer(#"{"error_code": "X"}"#, status: 400), shadow: one) == .disagree)
    }
}
