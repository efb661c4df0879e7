import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

@Suite("MLflow error mapping")
struct MLflowErrorMappingTests {
    typealias Support = MLflowTestSupport

    @Test("a JSON error keeps the server's code, message and error class, and names the endpoint")
    func jsonError() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(
            status: 404,
            json:
                #"{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Could not find experiment with name 'nope-xyz'", "sqlstate": "KAM00", "error_class": "RESOURCE_NOT_FOUND"}"#
        )

        let error = try await Support.mlflowError { try await client.getExperiment(name: "nope-xyz") }

        #expect(error.code == .resourceDoesNotExist)
        #expect(error.httpStatus == 404)
        #expect(error.message == "Could not find experiment with name 'nope-xyz'")
        #expect(error.endpoint == "GET experiments/get-by-name")
        #expect(error.errorClass == "RESOURCE_NOT_FOUND")
        #expect(error.isNotFound)
        #expect(!error.isAliasNotFound)
        #expect(!error.code.isLocal)
        #expect(
            error.description
                == "MLflow error RESOURCE_DOES_NOT_EXIST (HTTP 404) from GET experiments/get-by-name: "
                + "Could not find experiment with name 'nope-xyz'"
        )
    }

    @Test("codes the client does not know are kept verbatim")
    func unknownCode() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(status: 400, json: #"{"error_code": "SHINY_NEW_CODE", "message": "nope"}"#)

        let error = try await Support.mlflowError { try await client.deleteRun(id: "r") }

        #expect(error.code == MLflowError.Code(rawValue: "SHINY_NEW_CODE"))
        #expect(error.code.rawValue == "SHINY_NEW_CODE")
        #expect(!error.isNotFound)
    }

    @Test("RESOURCE_ALREADY_EXISTS from a second create is not a not-found error")
    func alreadyExists() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(
            status: 400,
            json:
                #"{"error_code": "RESOURCE_ALREADY_EXISTS", "message": "Registered Model (name=mk-iris) already exists."}"#
        )

        let error = try await Support.mlflowError { try await client.createRegisteredModel(name: "mk-iris") }

        #expect(error.code == .resourceAlreadyExists)
        #expect(error.endpoint == "POST registered-models/create")
        #expect(!error.isNotFound)
    }

    @Test("Flask's HTML 404 becomes ENDPOINT_NOT_FOUND with a short, tag-free message")
    func html404() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(status: 404, text: Support.flaskHTML404, contentType: "text/html; charset=utf-8")

        let error = try await Support.mlflowError { try await client.getLoggedModelArtifactURI(modelID: "m-1") }

        #expect(error.code == .endpointNotFound)
        #expect(error.httpStatus == 404)
        #expect(!error.isNotFound)
        #expect(error.endpoint == "GET logged-models/m-1")
        #expect(error.message.hasPrefix("Not Found The requested URL was not found on the server."))
        #expect(!error.message.contains("<"))
        #expect(!error.message.contains("\n"))
        #expect(!error.message.contains("404 Not Found"))
        #expect(error.message.count <= MLflowClient.maximumCleanedMessageLength)
    }

    @Test("Flask's HTML 405 for a wrong method maps to ENDPOINT_NOT_FOUND")
    func html405() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(status: 405, text: Support.flaskHTML405, contentType: "text/html; charset=utf-8")

        let error = try await Support.mlflowError { try await client.searchRuns(experimentIDs: ["1"]) }

        #expect(error.code == .endpointNotFound)
        #expect(error.httpStatus == 405)
        #expect(error.message == "Method Not Allowed The method is not allowed for the requested URL.")
    }

    @Test("basic-auth's text 401 and 403 become UNAUTHENTICATED and PERMISSION_DENIED")
    func authErrors() async throws {
        let (client, transport) = Support.makeClient(credentials: .basic(username: "bob", password: "pw-secret"))
        transport.enqueue(
            TransportResponse(
                status: 401,
                headers: ["WWW-Authenticate": #"Basic realm="mlflow""#, "Content-Type": "text/html; charset=utf-8"],
                body: Data(Support.basicAuth401Text.utf8)
            )
        )
        transport.enqueue(status: 403, text: "Permission denied", contentType: "text/plain")

        let unauthenticated = try await Support.mlflowError { try await client.getRegisteredModel(name: "m") }
        let denied = try await Support.mlflowError {
            try await client.setRegisteredModelAlias(name: "m", alias: "Production", version: "1")
        }

        #expect(unauthenticated.code == .unauthenticated)
        #expect(unauthenticated.httpStatus == 401)
        #expect(unauthenticated.message.hasPrefix("You are not authenticated."))
        #expect(denied.code == .permissionDenied)
        #expect(denied.message == "Permission denied")
        #expect(denied.endpoint == "POST registered-models/alias")
    }

    @Test("a long HTML 500 page is cut to about 200 characters and its script and style are dropped")
    func longHTML500() async throws {
        let (client, transport) = Support.makeClient()
        let filler = String(repeating: "ValueError: &#39;entity_unspecified&#39; is not valid &amp; more ", count: 20)
        let page = """
            <html><head><title>500 Internal Server Error</title><style>body { color: red; }</style></head>
            <body><script>alert("x")</script><h1>Internal Server Error</h1><p>\(filler)</p></body></html>
            """
        transport.enqueue(status: 500, text: page, contentType: "text/html")

        let error = try await Support.mlflowError { try await client.deleteRun(id: "r") }

        #expect(error.code == .internalError)
        #expect(error.message.count <= 200)
        #expect(error.message.hasPrefix("Internal Server Error ValueError: 'entity_unspecified' is not valid & more"))
        #expect(error.message.hasSuffix("…"))
        #expect(!error.message.contains("color"))
        #expect(!error.message.contains("alert"))
    }

    @Test(
        "statuses without a JSON body map to a fitting code",
        arguments: [
            (400, MLflowError.Code.badRequest), (401, .unauthenticated), (403, .permissionDenied),
            (404, .endpointNotFound), (409, .resourceConflict), (429, .requestLimitExceeded),
            (500, .internalError), (501, .notImplemented), (502, .temporarilyUnavailable),
            (503, .temporarilyUnavailable), (504, .deadlineExceeded), (418, .badRequest), (302, .unexpectedStatus),
        ]
    )
    func statusCodes(status: Int, expected: MLflowError.Code) async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(TransportResponse(status: status, body: Data()))

        let error = try await Support.mlflowError { try await client.deleteRun(id: "r") }

        #expect(error.code == expected)
        #expect(error.httpStatus == status)
        #expect(error.message.hasPrefix("HTTP \(status)"))
    }

    @Test("transient server errors say so")
    func transient() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(TransportResponse(status: 503, body: Data("upstream down".utf8)))
        transport.enqueue(status: 429, json: #"{"error_code": "REQUEST_LIMIT_EXCEEDED", "message": "slow down"}"#)
        transport.enqueue(status: 400, json: #"{"error_code": "INVALID_PARAMETER_VALUE", "message": "bad"}"#)

        let unavailable = try await Support.mlflowError { try await client.deleteRun(id: "r") }
        let throttled = try await Support.mlflowError { try await client.deleteRun(id: "r") }
        let invalid = try await Support.mlflowError { try await client.deleteRun(id: "r") }

        #expect(unavailable.isTransient)
        #expect(throttled.isTransient)
        #expect(!invalid.isTransient)
    }

    @Test("a 200 with malformed JSON is a malformedResponse error naming the endpoint")
    func malformedJSON() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(json: #"{"run": {"info": "#)

        let error = try await Support.mlflowError { try await client.getRun(id: "r") }

        #expect(error.code == .malformedResponse)
        #expect(error.code.isLocal)
        #expect(error.endpoint == "GET runs/get")
        #expect(error.message.contains("GET runs/get"))
        #expect(error.httpStatus == 200)
    }

    @Test("a 200 with the wrong JSON shape names the endpoint and the field")
    func wrongShape() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(json: #"{"run": {"info": {"run_id": 42}}}"#)

        let error = try await Support.mlflowError { try await client.getRun(id: "r") }

        #expect(error.code == .malformedResponse)
        #expect(error.message.contains("GET runs/get"))
        #expect(error.message.contains("run.info.run_id"))
    }

    @Test("a 200 HTML page (for example a proxy's login page) is malformed, not success")
    func htmlSuccess() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(status: 200, text: "<html><body>Sign in</body></html>", contentType: "text/html")

        let error = try await Support.mlflowError { try await client.setTag(runID: "r", key: "k", value: "v") }

        #expect(error.code == .malformedResponse)
        #expect(error.endpoint == "POST runs/set-tag")
    }

    @Test("a success without the expected field is malformed")
    func missingField() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(json: "{}")

        let error = try await Support.mlflowError { try await client.createExperiment(name: "x") }

        #expect(error.code == .malformedResponse)
        #expect(error.message.contains("experiment_id"))
        #expect(error.endpoint == "POST experiments/create")
    }

    @Test("get-by-alias for a missing alias is a not-found error naming the model and the alias")
    func aliasNotFoundQuirk() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(
            status: 400,
            json: #"{"error_code": "INVALID_PARAMETER_VALUE", "message": "Registered model alias Nope not found."}"#
        )

        let error = try await Support.mlflowError { try await client.getModelVersion(name: "mk-iris", alias: "Nope") }

        #expect(error.code == .resourceDoesNotExist)
        #expect(error.isNotFound)
        #expect(error.isAliasNotFound)
        #expect(error.httpStatus == 400)
        #expect(error.endpoint == "GET registered-models/alias")
        #expect(error.message.contains("'mk-iris'"))
        #expect(error.message.contains("'Nope'"))
        let request = try #require(transport.lastRequest)
        #expect(request.url.path == "/api/2.0/mlflow/registered-models/alias")
        #expect(request.queryValue("name") == "mk-iris")
        #expect(request.queryValue("alias") == "Nope")
    }

    @Test("get-by-alias for a missing model stays the server's model-not-found error")
    func aliasMissingModel() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(
            status: 404,
            json:
                #"{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Registered Model with name=alias-nope not found"}"#
        )

        let error = try await Support.mlflowError {
            try await client.getModelVersion(name: "alias-nope", alias: "Production")
        }

        #expect(error.code == .resourceDoesNotExist)
        #expect(error.isNotFound)
        #expect(!error.isAliasNotFound)
        #expect(error.httpStatus == 404)
        #expect(error.message == "Registered Model with name=alias-nope not found")
    }

    @Test("other INVALID_PARAMETER_VALUE errors from get-by-alias are left alone")
    func aliasOtherInvalid() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(
            status: 400,
            json:
                #"{"error_code": "INVALID_PARAMETER_VALUE", "message": "'latest' alias name (case insensitive) is reserved."}"#
        )

        let error = try await Support.mlflowError { try await client.getModelVersion(name: "m", alias: "latest") }

        #expect(error.code == .invalidParameterValue)
        #expect(!error.isNotFound)
    }

    @Test("errors never carry the Authorization value, URL credentials or the query string")
    func errorsHideSecrets() async throws {
        let (client, transport) = Support.makeClient(
            trackingURI: URL(string: "http://user:url-password@127.0.0.1:5055")!,
            credentials: .basic(username: "alice", password: "header-password")
        )
        transport.enqueue(
            status: 404,
            json: #"{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Run with id=x not found"}"#
        )
        transport.enqueue(status: 500, text: "<p>boom</p>", contentType: "text/html")

        let first = try await Support.mlflowError { try await client.getRun(id: "secret-query-value") }
        let second = try await Support.mlflowError {
            try await client.getMetricHistory(runID: "secret-query-value", key: "k")
        }

        for error in [first, second] {
            let texts = [error.description, String(reflecting: error), error.endpoint ?? ""]
            for text in texts {
                #expect(!text.contains("header-password"))
                #expect(!text.contains(Data("alice:header-password".utf8).base64EncodedString()))
                #expect(!text.contains("url-password"))
                #expect(!text.contains("secret-query-value"))
                #expect(!text.contains("Authorization"))
            }
        }
        #expect(first.endpoint == "GET runs/get")
        #expect(second.endpoint == "GET metrics/get-history")
        #expect(transport.requests.allSatisfy { $0.headers.contains("Authorization") })
    }

    @Test("transport failures pass through unchanged")
    func transportErrorsPassThrough() async throws {
        let transport = MockTransport { request in
            throw HTTPTransportError(
                code: .couldNotConnect,
                method: request.method,
                redactedURL: Redaction.redact(request.url),
                detail: "Connection refused"
            )
        }
        let client = MLflowClient(configuration: .init(trackingURI: Support.trackingURI), transport: transport)

        let thrown = await Support.error { try await client.getRun(id: "r") }

        let error = try #require(thrown as? HTTPTransportError)
        #expect(error.code == .couldNotConnect)
        #expect(error.requestWasNotSent)
    }
}
