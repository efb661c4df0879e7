import MLOpsKit
import Testing

@Suite struct ServingNamesTests {
    @Test func stableNamesAreSanitisedAsTheOriginalWatcherDid() {
        #expect(ServingNames.stable(for: ServingKey(model: "iris_classifier_iris", alias: "Production"))
            == "mlflow-serve-iris_classifier_iris-production")
        #expect(ServingNames.stable(for: ServingKey(model: "Fraud Model/v2", alias: "Test")) == "mlflow-serve-fraud-model-v2-test")
        #expect(ServingNames.stable(for: ServingKey(model: "café", alias: "A")) == "mlflow-serve-caf--a")
    }

    @Test func namesAreCutTo63Characters() {
        let key = ServingKey(model: String(repeating: "m", count: 80), alias: "Production")
        let stable = ServingNames.stable(for: key)
        #expect(stable.count == 63)
        #expect(stable.hasPrefix("mlflow-serve-mmmm"))
        let candidate = ServingNames.candidate(for: key, version: "12")
        #expect(candidate.count == 63)
        #expect(candidate.hasSuffix("-v12"))
        #expect(candidate != stable)
    }

    @Test func candidateAndImageNames() {
        let key = ServingKey(model: "iris", alias: "Production")
        #expect(ServingNames.candidate(for: key, version: "3") == "mlflow-serve-iris-production-v3")
        #expect(ServingNames.image(model: "Iris Model", version: "3") == "mlflow-model-iris-model-v3")
    }

    @Test func labelsReadBackFromAnInstance() {
        let instance = ServingInstance(
            id: "abc", name: "mlflow-serve-iris-production",
            labels: [
                ServingLabels.serve: "true", ServingLabels.model: "iris", ServingLabels.alias: "Production",
                ServingLabels.version: "4", ServingLabels.port: "5001", ServingLabels.configHash: "h1",
            ],
            state: .running)
        #expect(instance.key == ServingKey(model: "iris", alias: "Production"))
        #expect(instance.version == "4")
        #expect(instance.port == 5001)
        #expect(instance.configHash == "h1")
        #expect(ServingLabels.selector == ["mlflow_serve": "true"])
    }
}
