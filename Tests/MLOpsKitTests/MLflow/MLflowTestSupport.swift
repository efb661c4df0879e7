import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsMLflow
@testable import MLOpsServing

/// Shared helpers and server responses for the MLflow client tests. The JSON bodies are the shapes an
/// MLflow 3.17 server returns.
enum MLflowTestSupport {
    static let trackingURI = URL(string: "http://127.0.0.1:5055")!

    static func makeClient(
        trackingURI: URL = trackingURI,
        credentials: MLflowCredentials = .none,
        requestTimeout: Duration? = .seconds(60)
    ) -> (MLflowClient, MockTransport) {
        let transport = MockTransport()
        let configuration = MLflowClient.Configuration(
            trackingURI: trackingURI,
            credentials: credentials,
            requestTimeout: requestTimeout
        )
        return (MLflowClient(configuration: configuration, transport: transport), transport)
    }

    /// Runs `body` and returns the error it throws, or `nil` when it does not throw.
    static func error<T>(_ body: () async throws -> T) async -> (any Error)? {
        do {
            _ = try await body()
            return nil
        } catch {
            return error
        }
    }

    /// Runs `body`, requires it to throw an ``MLflowError`` and returns it.
    static func mlflowError<T>(
        sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () async throws -> T
    ) async throws -> MLflowError {
        let thrown = await error(body)
        return try #require(
            thrown as? MLflowError,
            "expected an MLflowError, got \(String(describing: thrown))",
            sourceLocation: sourceLocation
        )
    }

    // MARK: Server responses

    static let runID = "8961c1a4c5d84d0f9f1b2c3d4e5f6a7b"

    static let experimentJSON = """
        {
          "experiment": {
            "experiment_id": "1",
            "name": "mlopskit-rest-a",
            "artifact_location": "mlflow-artifacts:/1",
            "lifecycle_stage": "active",
            "last_update_time": 1795914962368,
            "creation_time": 1795914962368,
            "tags": [{"key": "team", "value": "swift"}],
            "workspace": "default"
          }
        }
        """

    static let createRunJSON = """
        {
          "run": {
            "info": {
              "run_uuid": "\(runID)",
              "experiment_id": "1",
              "run_name": "rest-run-1",
              "user_id": "",
              "status": "RUNNING",
              "start_time": 1700000000000,
              "artifact_uri": "mlflow-artifacts:/1/\(runID)/artifacts",
              "lifecycle_stage": "active",
              "run_id": "\(runID)"
            },
            "data": {
              "tags": [
                {"key": "mlflow.user", "value": "swift"},
                {"key": "mlflow.runName", "value": "rest-run-1"}
              ]
            },
            "inputs": {}
          }
        }
        """

    static let getRunJSON = """
        {
          "run": {
            "info": {
              "run_uuid": "\(runID)",
              "experiment_id": "1",
              "run_name": "rest-run-1b",
              "user_id": "",
              "status": "FINISHED",
              "start_time": 1700000000000,
              "end_time": 1700000100000,
              "artifact_uri": "mlflow-artifacts:/1/\(runID)/artifacts",
              "lifecycle_stage": "active",
              "run_id": "\(runID)"
            },
            "data": {
              "metrics": [
                {"key": "loss", "value": 0.5, "timestamp": 1700000001000, "step": 1},
                {"key": "bad", "value": "NaN", "timestamp": 1700000002000, "step": 0},
                {"key": "big", "value": 1.7976931348623157e+308, "timestamp": 1700000003000, "step": 0}
              ],
              "params": [{"key": "lr", "value": "0.01"}],
              "tags": [{"key": "mlflow.runName", "value": "rest-run-1b"}]
            },
            "inputs": {},
            "outputs": {}
          }
        }
        """

    static let registeredModelJSON = """
        {
          "registered_model": {
            "name": "mk-iris",
            "creation_timestamp": 1795914962368,
            "last_updated_timestamp": 1795914970000,
            "description": "iris clf",
            "latest_versions": [
              {
                "name": "mk-iris",
                "version": "2",
                "creation_timestamp": 1795914965000,
                "last_updated_timestamp": 1795914965000,
                "current_stage": "None",
                "description": "",
                "source": "mlflow-artifacts:/1/\(runID)/artifacts/model",
                "run_id": "\(runID)",
                "status": "READY",
                "run_link": ""
              }
            ],
            "tags": [{"key": "owner", "value": "swift"}],
            "aliases": [
              {"alias": "Production", "version": "1"},
              {"alias": "Staging", "version": "2"}
            ]
          }
        }
        """

    static func modelVersionJSON(version: String = "1", aliases: [String] = ["Production"]) -> String {
        let aliasList = aliases.map { "\"\($0)\"" }.joined(separator: ", ")
        let aliasField = aliases.isEmpty ? "" : ",\n    \"aliases\": [\(aliasList)]"
        return """
            {
              "model_version": {
                "name": "mk-iris",
                "version": "\(version)",
                "creation_timestamp": 1795914962368,
                "last_updated_timestamp": 1795914962368,
                "current_stage": "None",
                "description": "v\(version)",
                "source": "mlflow-artifacts:/1/\(runID)/artifacts/model",
                "run_id": "\(runID)",
                "status": "READY",
                "tags": [{"key": "k", "value": "v"}],
                "run_link": ""\(aliasField)
              }
            }
            """
    }

    static let flaskHTML404 = """
        <!doctype html>
        <html lang=en>
        <title>404 Not Found</title>
        <h1>Not Found</h1>
        <p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>
        """

    static let flaskHTML405 = """
        <!doctype html>
        <html lang=en>
        <title>405 Method Not Allowed</title>
        <h1>Method Not Allowed</h1>
        <p>The method is not allowed for the requested URL.</p>
        """

    static let basicAuth401Text =
        "You are not authenticated. Please see "
        + "https://www.mlflow.org/docs/latest/auth/index.html#authenticating-to-mlflow on how to authenticate."
}
