import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsOrchestration
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// What ``AirflowClient`` sends to each API version and how it reads Airflow's answers, in every error
/// shape the two versions use (recorded from Airflow 3.3.2 and 2.11.2).
@Suite struct AirflowClientTests {
    let transport = MockTransport()

    func client(_ version: AirflowClient.APIVersion) -> AirflowClient {
        AirflowClient(
            configuration: .init(
                baseURL: URL(string: "http://127.0.0.1:8080")!, username: "admin", password: "s3cret pass!",
                apiVersion: version),
            transport: transport)
    }

    static func jwt(expiresIn seconds: Double) -> String {
        let payload = #"{"sub":"admin","exp":\#(Date().timeIntervalSince1970 + seconds)}"#
        let encoded = Data(payload.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return "eyJhbGciOiJIUzUxMiJ9.\(encoded).c2ln"
    }

    let runJSON = #"{"dag_run_id":"manual__2026-11-29T00:39:02.423561+00:00","dag_id":"dag_training","logical_date":null,"queued_at":"2026-11-29T00:39:02.431442Z","start_date":null,"end_date":null,"state":"queued","conf":{"epochs":3}}"#

    @Test func airflowThreeSignsInOnceAndSendsANullLogicalDate() async throws {
        let token = Self.jwt(expiresIn: 86_400)
        transport.enqueue(status: 201, json: #"{"access_token":"\#(token)"}"#)
        transport.enqueue(status: 200, json: runJSON)
        transport.enqueue(status: 200, json: runJSON)
        let client = client(.v2)
        let run = try await client.trigger("dag_training", conf: ["epochs": .number(3)])
        #expect(run.runID == "manual__2026-11-29T00:39:02.423561+00:00")
        #expect(run.state == .queued)
        #expect(run.conf["epochs"] == .number(3))
        _ = try await client.dagRun("dag_training", runID: run.runID)

        let requests = transport.requests
        #expect(requests.count == 3)
        #expect(requests[0].url.absoluteString == "http://127.0.0.1:8080/auth/token")
        #expect(requests[0].jsonBody?["password"] as? String == "s3cret pass!")
        #expect(requests[1].url.absoluteString == "http://127.0.0.1:8080/api/v2/dags/dag_training/dagRuns")
        #expect(requests[1].headers["Authorization"] == "Bearer \(token)")
        let body = String(decoding: requests[1].bodyData, as: UTF8.self)
        #expect(body.contains(#""logical_date":null"#))
        // The run ID's ':' and '+' are percent-encoded in the path.
        #expect(requests[2].url.absoluteString.hasSuffix("/dagRuns/manual__2026-11-29T00%3A39%3A02.423561%2B00%3A00"))
        #expect(requests[2].headers["Authorization"] == "Bearer \(token)")
    }

    @Test func aRefusedTokenIsReplacedOnce() async throws {
        transport.enqueue(status: 201, json: #"{"access_token":"\#(Self.jwt(expiresIn: 86_400))"}"#)
        transport.enqueue(status: 403, json: #"{"detail":"Invalid JWT token"}"#)
        transport.enqueue(status: 201, json: #"{"access_token":"\#(Self.jwt(expiresIn: 86_400))"}"#)
        transport.enqueue(status: 200, json: #"{"dag_id":"dag_training","is_paused":false,"tags":[{"name":"test"}]}"#)
        let dag = try await client(.v2).dag("dag_training")
        #expect(dag.tags == ["test"])
        #expect(transport.requests.map { $0.url.path } == ["/auth/token", "/api/v2/dags/dag_training", "/auth/token", "/api/v2/dags/dag_training"])
    }

    @Test func aTokenAboutToExpireIsNotUsed() async throws {
        transport.enqueue(status: 201, json: #"{"access_token":"\#(Self.jwt(expiresIn: 30))"}"#)
        transport.enqueue(status: 200, json: #"{"dag_id":"a","is_paused":true}"#)
        transport.enqueue(status: 201, json: #"{"access_token":"\#(Self.jwt(expiresIn: 30))"}"#)
        transport.enqueue(status: 200, json: #"{"dag_id":"a","is_paused":true}"#)
        let client = client(.v2)
        _ = try await client.dag("a")
        _ = try await client.dag("a")
        #expect(transport.requests.filter { $0.url.path == "/auth/token" }.count == 2)
    }

    @Test func wrongCredentialsAreUnauthorizedWithoutThePassword() async throws {
        transport.enqueue(status: 401, json: #"{"detail":"Invalid credentials"}"#)
        let error = await #expect(throws: AirflowError.self) { try await client(.v2).dag("a") }
        #expect(error?.code == .unauthorized)
        #expect(error?.message == "signing in as admin failed: Invalid credentials")
        #expect(error?.description.contains("s3cret") == false)
    }

    @Test func airflowTwoUsesBasicAuthAndLeavesTheLogicalDateOut() async throws {
        transport.enqueue(status: 200, json: runJSON)
        _ = try await client(.v1).trigger("dag_training", conf: [:])
        let request = try #require(transport.lastRequest)
        #expect(request.url.path == "/api/v1/dags/dag_training/dagRuns")
        #expect(request.headers["Authorization"] == "Basic " + Data("admin:s3cret pass!".utf8).base64EncodedString())
        #expect(!String(decoding: request.bodyData, as: UTF8.self).contains("logical_date"))
    }

    @Test func theVersionIsFoundByProbing() async throws {
        transport.enqueue(status: 404, json: #"{"detail":"Not Found"}"#)
        #expect(try await client(.automatic).apiVersion() == .v1)
        let three = MockTransport()
        three.enqueue(status: 200, json: #"{"version":"3.3.2","git_version":".release"}"#)
        let client = AirflowClient(
            configuration: .init(baseURL: URL(string: "http://127.0.0.1:8080/")!, username: "a", password: "b"), transport: three)
        #expect(try await client.apiVersion() == .v2)
        #expect(try await client.apiVersion() == .v2)
        #expect(three.requests.count == 1)
    }

    @Test(arguments: [
        (404, #"{"detail":"The Dag with ID: `nope` was not found"}"#, "not found", "The Dag with ID: `nope` was not found"),
        (422, #"{"detail":[{"type":"missing","loc":["body","logical_date"],"msg":"Field required"}]}"#, "invalid request", "body.logical_date: Field required"),
        (409, #"{"detail":{"reason":"Unique constraint violation","statement":"hidden"}}"#, "conflict", "Unique constraint violation"),
        (404, #"{"detail":"The DAG with dag_id: nope was not found","status":404,"title":"DAG not found","type":"https://…"}"#, "not found", "The DAG with dag_id: nope was not found"),
        (403, #"{"detail":null,"status":403,"title":"Forbidden","type":"https://…"}"#, "forbidden", "Forbidden"),
        (502, "<html><body><h1>502 Bad Gateway</h1></body></html>", "server error", "502 Bad Gateway"),
    ])
    func everyErrorShapeBecomesOneMessage(status: Int, body: String, code: String, message: String) {
        let error = AirflowClient.error(
            for: TransportResponse(status: status, body: Data(body.utf8)), version: .v2, dagID: "nope")
        #expect(error.code.description == code)
        #expect(error.message == message)
        #expect(error.dagID == "nope")
    }

    @Test func airflowTwoReportsWrongCredentialsAs403() {
        let error = AirflowClient.error(
            for: TransportResponse(status: 403, body: Data(#"{"detail":null,"title":"Forbidden"}"#.utf8)), version: .v1, dagID: nil)
        #expect(error.code == .unauthorized)
    }

    @Test func structuredLogsBecomeLines() async throws {
        transport.enqueue(status: 201, json: #"{"access_token":"\#(Self.jwt(expiresIn: 86_400))"}"#)
        transport.enqueue(status: 200, json: #"{"content":[{"event":"::group::Log message source details"},{"timestamp":"2026-11-29T00:39:08.309799Z","event":"training done","level":"info"},{"event":"Task failed with exception","level":"error","error_detail":[{"exc_type":"ValueError","exc_value":"failing on purpose","frames":[]}]}],"continuation_token":null}"#)
        let lines = try await client(.v2).taskLog("dag_training", runID: "r", taskID: "train", tryNumber: 1)
        #expect(lines == [
            "::group::Log message source details", "[2026-11-29T00:39:08.309799Z INFO] training done",
            "[ERROR] Task failed with exception", "  ValueError: failing on purpose",
        ])
        #expect(transport.lastRequest?.url.path == "/api/v2/dags/dag_training/dagRuns/r/taskInstances/train/logs/1")
    }

    @Test func waitingEndsAtTheDeadlineNamingTheRunAndItsState() async throws {
        transport.setHandler { request in
            request.url.path == "/auth/token"
                ? TransportResponse(status: 201, body: Data(#"{"access_token":"\#(Self.jwt(expiresIn: 86_400))"}"#.utf8))
                : request.url.path.hasSuffix("taskInstances")
                    ? TransportResponse(status: 200, body: Data(#"{"task_instances":[{"task_id":"train","state":null,"try_number":0}]}"#.utf8))
                    : TransportResponse(status: 200, body: Data(#"{"dag_run_id":"r1","dag_id":"d","state":"queued"}"#.utf8))
        }
        let polls = RoundCounter()
        let error = await #expect(throws: AirflowError.self) {
            try await client(.v2).waitForRun("d", runID: "r1", timeout: .milliseconds(300), interval: .milliseconds(100)) { _, tasks in
                #expect(tasks.first?.taskID == "train")
                polls.increment()
            }
        }
        #expect(error?.code == .timedOut)
        #expect(error?.message.contains("run r1 of d is still queued") == true)
        #expect(polls.value >= 2)
    }

    @Test func serverErrorsAreRetriedOnlyWhereRepeatingIsHarmless() async throws {
        transport.enqueue(status: 500, json: #"{"detail":{"message":"Serious error when handling your request."}}"#)
        transport.enqueue(status: 200, json: #"{"dag_id":"a","is_paused":false}"#)
        #expect(try await client(.v1).setPaused("a", false).isPaused == false)
        #expect(transport.requests.count == 2)

        transport.enqueue(status: 500, json: #"{"detail":{"message":"Serious error when handling your request."}}"#)
        let error = await #expect(throws: AirflowError.self) { try await client(.v1).trigger("a", conf: [:]) }
        #expect(error?.code == .server)
        #expect(error?.message == "Serious error when handling your request.")
        #expect(transport.requests.count == 3)  // the trigger was sent once
    }

    @Test func jwtExpiryIsReadFromTheClaims() {
        let expiry = AirflowClient.expiry(ofJWT: Self.jwt(expiresIn: 3600))
        #expect(expiry.map { abs($0.timeIntervalSinceNow - 3600) < 5 } == true)
        #expect(AirflowClient.expiry(ofJWT: "not-a-jwt") == nil)
    }
}
