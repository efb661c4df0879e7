import Foundation
import MLOpsKit
import Testing

/// The process runtime with the real `mlflow models serve`: a scikit-learn model the Python client
/// registered in the test MLflow server is served by exact version and answers like the model itself.
@Suite("ProcessServingRuntime with mlflow models serve", .enabled(if: IntegrationEnvironment.mlflowEnabled))
struct ProcessServingMLflowTests {
    struct LoggedModel: Decodable {
        var version: String
        var columns: [String]
        var data: [[Double]]
        var predictions: [Int]
    }

    struct Predictions: Decodable {
        var predictions: [Int]
    }

    @Test func servesARegisteredVersionThatPredictsLikeTheModel() async throws {
        let uri = try IntegrationEnvironment.mlflowURI()
        let model = IntegrationEnvironment.uniqueName("process-serve-iris")
        let logged = try JSONDecoder().decode(
            LoggedModel.self,
            from: try await IntegrationEnvironment.python(["log-iris-model", model, "Production"], trackingURI: uri))

        let venvBin = IntegrationEnvironment.servicesVenv.appendingPathComponent("bin").path
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mlopskit-serving-\(UUID().uuidString.prefix(8).lowercased())").path
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let runtime = try ProcessServingRuntime(configuration: ProcessServingConfiguration(
            stateDirectory: directory,
            executable: "\(venvBin)/mlflow",
            // `mlflow models serve` runs `uvicorn` by name: the environment's bin directory goes first.
            environment: ["PATH": "\(venvBin):\(path)"]))
        do {
            let spec = ServingSpec(
                key: ServingKey(model: model, alias: "Production"), version: logged.version,
                environment: ["MLFLOW_TRACKING_URI": uri.absoluteString], configHash: "e2e")
            let created = try await runtime.create(spec)
            try await runtime.start(created.id)
            let instance = try await runtime.inspect(created.id)
            #expect(instance.state == .running)
            let started = ContinuousClock.now
            do {
                try await ServingProbe.waitForPing(instance, within: .seconds(240))
            } catch {
                let logs = (try? await runtime.logs(instance.id, tail: 40)) ?? ""
                Issue.record("mlflow models serve did not answer /ping; its log ends:\n\(logs)")
                throw error
            }
            let readyAfter = ContinuousClock.now - started

            // It loaded the exact version, not the alias.
            let record = try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(instance.id).json"))) as? [String: Any]
            let command = try #require(record?["command"] as? [String])
            #expect(command.contains("models:/\(model)/\(logged.version)"), "\(command)")
            #expect(command.suffix(2) == ["--env-manager", "local"])

            let body = try JSONSerialization.data(withJSONObject: [
                "dataframe_split": ["columns": logged.columns, "data": logged.data]
            ])
            let response = try await CurlTransport().send(TransportRequest(
                method: .post, url: try #require(instance.endpoint).appendingPathComponent("invocations"),
                headers: ["Content-Type": "application/json"], body: .bytes(body), timeout: .seconds(60)))
            #expect(response.status == 200, "\(response.bodyText)")
            let served = try JSONDecoder().decode(Predictions.self, from: response.body)
            #expect(served.predictions == logged.predictions)
            #expect(Set(served.predictions).count > 1)

            let logs = try await runtime.logs(instance.id, tail: nil)
            #expect(!logs.isEmpty)
            print("mlflow models serve answered /ping \(readyAfter) after start")

            let stopping = ContinuousClock.now
            try await runtime.stop(instance.id, grace: .seconds(20))
            print("mlflow models serve stopped in \(ContinuousClock.now - stopping): \(try await runtime.inspect(instance.id).state)")
            #expect(try await ServingProbe.ping(instance) != 200)
            try await runtime.remove(instance.id)
        } catch {
            await ProcessRuntimeHarness().cleanUp(runtime)
            throw error
        }
        await ProcessRuntimeHarness().cleanUp(runtime)
    }
}
