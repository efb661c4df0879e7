import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsOrchestration
@testable import MLOpsServing
@testable import MLOpsAutoserve

@Suite("Model URIs")
struct ModelURITests {
    typealias Support = MLflowTestSupport

    @Test(
        "valid URIs parse to the expected case and print back unchanged",
        arguments: [
            ("models:/mk-iris/1", ModelURI.registeredModelVersion(name: "mk-iris", version: "1")),
            ("models:/mk-iris/12", .registeredModelVersion(name: "mk-iris", version: "12")),
            ("models:/My Model/3", .registeredModelVersion(name: "My Model", version: "3")),
            ("models:/mk-iris@Production", .registeredModelAlias(name: "mk-iris", alias: "Production")),
            ("models:/cat.schema.model@champion", .registeredModelAlias(name: "cat.schema.model", alias: "champion")),
            ("models:/m-b705bfdd34b340c0a7e0319c8a5fbd67", .loggedModel(id: "m-b705bfdd34b340c0a7e0319c8a5fbd67")),
            ("runs:/8961c1a4/model", .runArtifact(runID: "8961c1a4", path: "model")),
            ("runs:/8961c1a4/dir/sub/model.pkl", .runArtifact(runID: "8961c1a4", path: "dir/sub/model.pkl")),
            ("runs:/8961c1a4", .runArtifact(runID: "8961c1a4", path: "")),
            (
                "mlflow-artifacts:/1/abc/artifacts/model",
                .mlflowArtifacts(authority: nil, path: "1/abc/artifacts/model")
            ),
            (
                "mlflow-artifacts://mlflow.internal:5000/7/models/m-1/artifacts",
                .mlflowArtifacts(authority: "mlflow.internal:5000", path: "7/models/m-1/artifacts")
            ),
            ("s3://bucket/path/to/model", .s3(bucket: "bucket", key: "path/to/model")),
            ("s3://bucket", .s3(bucket: "bucket", key: "")),
            ("file:///srv/models/iris", .file(path: "/srv/models/iris")),
        ]
    )
    func parsesValid(text: String, expected: ModelURI) throws {
        let uri = try ModelURI(parsing: text)
        #expect(uri == expected)
        #expect(uri.description == text)
        #expect(ModelURI(text) == expected)
        #expect(try ModelURI(parsing: uri.description) == uri)
    }

    @Test(
        "invalid URIs throw an error that names the input",
        arguments: [
            "", "mk-iris", "http://example.com/model", "models:/", "models:/mk-iris", "models:/mk-iris/",
            "models:/mk-iris/Production", "models:/mk-iris/1/extra", "models:/@Production", "models:/mk-iris@",
            "models://profile/mk-iris/1", "models:/m-", "runs:/", "runs://abc/model", "mlflow-artifacts:/",
            "mlflow-artifacts://host", "s3://", "s3:bucket/key", "file:relative/path", "file://host/path",
            " models:/mk-iris/1", "models:/mk-iris/1\n", "models:/mk-iris@Prod\tuction",
        ]
    )
    func rejectsInvalid(text: String) {
        do {
            let uri = try ModelURI(parsing: text)
            Issue.record("'\(text)' parsed as \(uri)")
        } catch {
            #expect(error.input == text)
            #expect(!error.reason.isEmpty)
            #expect(error.description.contains("'\(text)'"))
        }
        #expect(ModelURI(text) == nil)
    }

    @Test("a stage instead of a version is refused with a hint to use an alias")
    func stageHint() {
        let thrown = #expect(throws: ModelURIError.self) { try ModelURI(parsing: "models:/iris/Production") }
        #expect(thrown?.reason.contains("alias") == true)
    }

    @Test("only registry, logged-model and run URIs need resolution")
    func needsResolution() throws {
        #expect(try ModelURI(parsing: "models:/a/1").needsResolution)
        #expect(try ModelURI(parsing: "runs:/r/model").needsResolution)
        #expect(try !ModelURI(parsing: "s3://b/k").needsResolution)
        #expect(try !ModelURI(parsing: "mlflow-artifacts:/1/x").needsResolution)
    }

    @Test("models:/name/version resolves through get-download-uri")
    func resolveVersion() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(json: #"{"artifact_uri": "mlflow-artifacts:/1/abc/artifacts/model"}"#)

        let location = try await ModelURI(parsing: "models:/mk-iris/1").resolve(using: client)

        #expect(location == "mlflow-artifacts:/1/abc/artifacts/model")
        let request = try #require(transport.lastRequest)
        #expect(request.url.path == "/api/2.0/mlflow/model-versions/get-download-uri")
        #expect(request.queryValue("name") == "mk-iris")
        #expect(request.queryValue("version") == "1")
    }

    @Test("models:/name@alias resolves the alias first, then the version's download URI")
    func resolveAlias() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(json: Support.modelVersionJSON(version: "2", aliases: ["Production"]))
        transport.enqueue(json: #"{"artifact_uri": "mlflow-artifacts:/7/models/m-b705/artifacts"}"#)

        let location = try await ModelURI(parsing: "models:/mk-iris@Production").resolve(using: client)

        #expect(location == "mlflow-artifacts:/7/models/m-b705/artifacts")
        #expect(
            transport.requests.map(\.operationName) == [
                "GET registered-models/alias", "GET model-versions/get-download-uri",
            ]
        )
        #expect(transport.requests[1].queryValue("version") == "2")
    }

    @Test("a missing alias surfaces as a not-found error while resolving")
    func resolveMissingAlias() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(
            status: 400,
            json: #"{"error_code": "INVALID_PARAMETER_VALUE", "message": "Registered model alias Nope not found."}"#
        )

        let error = try await Support.mlflowError {
            try await ModelURI(parsing: "models:/mk-iris@Nope").resolve(using: client)
        }

        #expect(error.isAliasNotFound)
        #expect(transport.requests.count == 1)
    }

    @Test("runs:/ resolves to the run's artifact URI joined with the path")
    func resolveRun() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(json: Support.getRunJSON)
        transport.enqueue(json: Support.getRunJSON)

        let model = try await ModelURI(parsing: "runs:/\(Support.runID)/model").resolve(using: client)
        let root = try await ModelURI(parsing: "runs:/\(Support.runID)").resolve(using: client)

        #expect(model == "mlflow-artifacts:/1/\(Support.runID)/artifacts/model")
        #expect(root == "mlflow-artifacts:/1/\(Support.runID)/artifacts")
        #expect(transport.requests.allSatisfy { $0.queryValue("run_id") == Support.runID })
    }

    @Test("models:/m-<id> resolves through the logged model")
    func resolveLoggedModel() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(
            json:
                #"{"model": {"info": {"model_id": "m-b705", "experiment_id": "7", "artifact_uri": "mlflow-artifacts:/7/models/m-b705/artifacts", "status": "LOGGED_MODEL_READY"}, "data": {}}}"#
        )

        let location = try await ModelURI(parsing: "models:/m-b705").resolve(using: client)

        #expect(location == "mlflow-artifacts:/7/models/m-b705/artifacts")
        #expect(transport.lastRequest?.url.path == "/api/2.0/mlflow/logged-models/m-b705")
    }

    @Test("storage URIs resolve to themselves without any request")
    func resolveStorage() async throws {
        let (client, transport) = Support.makeClient()

        for text in ["s3://bucket/model", "file:///srv/model", "mlflow-artifacts:/1/x/artifacts/model"] {
            #expect(try await ModelURI(parsing: text).resolve(using: client) == text)
        }
        #expect(transport.requests.isEmpty)
    }
}
