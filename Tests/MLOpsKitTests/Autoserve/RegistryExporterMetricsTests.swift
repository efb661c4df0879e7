import Foundation
import Prometheus
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsMLflow
@testable import MLOpsAutoserve

/// The original registry exporter's series, and their removal when the registry no longer has them.
@Suite struct RegistryExporterMetricsTests {
    @Test func seriesFollowTheSnapshot() {
        let registry = PrometheusCollectorRegistry()
        let exporter = RegistryExporterMetrics(registry: registry, aliases: ["Production"])
        #expect(MetricsExposition(registries: [registry]).renderString().isEmpty, "nothing before the first read")

        exporter.update(from: AutoserveFixtures.snapshot, at: Date(timeIntervalSince1970: 1_780_000_000.5))
        let text = MetricsExposition(registries: [registry]).renderString()
        let lines = seriesLines(text)
        #expect(lines.contains("mlflow_registered_models_total 2.0"))
        #expect(lines.contains(#"mlflow_model_versions_total{model_name="iris"} 3.0"#))
        #expect(lines.contains(#"mlflow_model_versions_total{model_name="wine"} 1.0"#))
        #expect(lines.contains(#"mlflow_model_version_created_timestamp{model_name="iris",version="2"} 1700000100000.0"#))
        #expect(lines.contains(#"mlflow_model_alias_version{model_name="iris",alias="Production",version="3"} 1.0"#))
        #expect(lines.contains(#"mlflow_model_alias_version{model_name="wine",alias="Production",version="1"} 1.0"#))
        #expect(!text.contains(#"alias="Staging""#), "only MLFLOW_EXPORTER_ALIASES are reported")
        #expect(lines.contains("mlflow_exporter_last_success_timestamp 1780000000.5"))
        #expect(text.contains("# TYPE mlflow_registered_models_total untyped"))
        #expect(text.contains("# TYPE mlflow_model_alias_version gauge"))
        #expect(text.contains("# HELP mlflow_model_alias_version "))
    }

    @Test func seriesOfVanishedVersionsAliasesAndModelsAreRemoved() {
        let registry = PrometheusCollectorRegistry()
        let exporter = RegistryExporterMetrics(registry: registry, aliases: ["Production", "Staging"])
        exporter.update(from: AutoserveFixtures.snapshot)

        // wine is deleted, iris version 1 is deleted, Production moves from 3 to 2, Staging is removed.
        let later = RegistrySnapshot(
            models: [RegisteredModel(name: "iris", aliases: [RegisteredModelAlias(alias: "Production", version: "2")])],
            versions: AutoserveFixtures.snapshot.versions.filter { $0.name == "iris" && $0.version != "1" })
        exporter.update(from: later)
        let text = MetricsExposition(registries: [registry]).renderString()
        let lines = seriesLines(text)
        #expect(lines.contains("mlflow_registered_models_total 1.0"))
        #expect(lines.contains(#"mlflow_model_versions_total{model_name="iris"} 2.0"#))
        #expect(!text.contains(#"model_name="wine""#))
        #expect(!text.contains(#"mlflow_model_version_created_timestamp{model_name="iris",version="1"}"#))
        #expect(lines.contains(#"mlflow_model_alias_version{model_name="iris",alias="Production",version="2"} 1.0"#))
        #expect(!text.contains(#"alias="Production",version="3""#))
        #expect(!text.contains(#"alias="Staging""#))

        // Every alias gone: the family disappears with its last series.
        exporter.update(from: RegistrySnapshot(models: [RegisteredModel(name: "iris")], versions: []))
        let empty = MetricsExposition(registries: [registry]).renderString()
        #expect(!empty.contains("mlflow_model_alias_version"))
        #expect(!empty.contains("mlflow_model_version_created_timestamp"))
        #expect(seriesLines(empty).contains(#"mlflow_model_versions_total{model_name="iris"} 0.0"#))
    }

    @Test func labelValuesAreEscaped() {
        let registry = PrometheusCollectorRegistry()
        let exporter = RegistryExporterMetrics(registry: registry)
        exporter.update(
            from: RegistrySnapshot(
                models: [
                    RegisteredModel(name: #"a "quoted" \ name"#, aliases: [RegisteredModelAlias(alias: "Production", version: "1")])
                ], versions: []))
        let text = MetricsExposition(registries: [registry]).renderString()
        #expect(text.contains(#"model_name="a \"quoted\" \\ name""#))
    }
}
