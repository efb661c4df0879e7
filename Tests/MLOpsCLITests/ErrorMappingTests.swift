import ArgumentParser
import MLOpsKit
import Testing

@testable import MLOpsCLI

@Suite("Errors to exit statuses and messages")
struct ErrorMappingTests {
    private func notFound(_ message: String, endpoint: String = "GET registered-models/get") -> MLflowError {
        MLflowError(code: .resourceDoesNotExist, httpStatus: 404, message: message, endpoint: endpoint)
    }

    @Test(arguments: [
        ("Registered Model with name=nope not found", "registered model 'nope' not found"),
        ("Model Version (name=iris, version=9) not found", "model 'iris' has no version '9'"),
        ("Run with id=abc not found", "run 'abc' not found"),
        ("Run 'abc' not found", "run 'abc' not found"),
        ("No Experiment with id=999 exists", "experiment with ID '999' not found"),
        ("Could not find experiment with name 'iris-x'", "experiment 'iris-x' not found"),
        (
            "registered model 'iris' has no alias 'Staging' (server: Registered model alias Staging not found.)",
            "model 'iris' has no alias 'Staging'"
        ),
    ])
    func notFoundErrorsNameWhatIsMissing(serverMessage: String, explanation: String) {
        let error = notFound(serverMessage)
        #expect(error.exitCode == .notFound)
        #expect(error.explanation == explanation)
        #expect(ErrorReporter.report(for: error) == .init(message: "Error: \(explanation)", exitCode: .notFound))
    }

    @Test func unknownNotFoundMessagesAreKeptWithTheOperation() {
        let error = MLflowError(code: .notFound, httpStatus: 404, message: "Gone.", endpoint: "GET something/get")
        #expect(error.exitCode == .notFound)
        #expect(error.explanation == "Gone. (GET something/get)")
    }

    @Test func rejectedArgumentsExitWithStatusSix() {
        let error = MLflowError(
            code: .invalidArgument,
            message: "param 'big' value is 6001 characters long; MLflow allows at most 6000",
            endpoint: "POST runs/log-batch")
        #expect(error.exitCode == .validation)
        #expect(error.explanation == "param 'big' value is 6001 characters long; MLflow allows at most 6000")
    }

    @Test func otherServerErrorsNameTheEndpointAndStatusOnOneLine() {
        let error = MLflowError(
            code: .resourceAlreadyExists, httpStatus: 400,
            message: "Experiment(name=x) already exists.\n[SQL: INSERT INTO experiments ...]",
            endpoint: "POST experiments/create")
        #expect(error.exitCode == .serverError)
        #expect(
            error.explanation
                == "the MLflow server answered POST experiments/create with HTTP 400 RESOURCE_ALREADY_EXISTS: "
                + "Experiment(name=x) already exists.")
        let internalError = MLflowError(code: .internalError, httpStatus: 500, message: "", endpoint: "GET runs/get")
        #expect(internalError.exitCode == .serverError)
        #expect(internalError.explanation == "the MLflow server answered GET runs/get with HTTP 500 INTERNAL_ERROR")
        #expect(MLflowError(code: .malformedResponse, httpStatus: 200, message: "bad").exitCode == .serverError)
    }

    @Test func unreachableServersExitWithStatusFourWithoutCredentials() {
        let url = Redaction.redact("http://alice:s3cret@127.0.0.1:9/api/2.0/mlflow/runs/get?run_id=1")
        let error = HTTPTransportError(
            code: .couldNotConnect, method: .get, redactedURL: url,
            detail: "Failed to connect to 127.0.0.1 port 9", attempts: 5)
        #expect(error.exitCode == .unreachable)
        #expect(error.explanation.contains("http://alice:***@127.0.0.1:9/api/2.0/mlflow/runs/get"))
        #expect(error.explanation.contains("could not connect"))
        #expect(error.explanation.contains("gave up after 5 attempts"))
        #expect(!error.explanation.contains("s3cret"))
        for code in [HTTPTransportError.Code.timedOut, .tls, .couldNotResolveHost, .connectionLost, .tooSlow] {
            #expect(HTTPTransportError(code: code, method: .get, redactedURL: url, detail: "").exitCode == .unreachable)
        }
        #expect(
            HTTPTransportError(code: .responseTooLarge, method: .get, redactedURL: url, detail: "").exitCode
                == .serverError)
        #expect(
            HTTPTransportError(code: .timedOut, method: .post, redactedURL: url, detail: "").explanation.hasSuffix(
                "(1 attempt)"))
    }

    @Test func libraryValidationErrorsExitWithStatusSix() {
        let alias = AliasError(
            model: "iris", alias: "Production", reason: .noCandidateHasMetric(metric: "f1", candidates: ["2", "1"]))
        #expect(alias.exitCode == .validation)
        #expect(alias.explanation.contains("'f1'") && alias.explanation.contains("'iris'"))
        let rollback = AliasError(model: "iris", alias: "Production", reason: .nothingToRollBack)
        #expect(rollback.exitCode == .validation)
        let uri = ModelURIError(input: "models:/", reason: "no model name")
        #expect(uri.exitCode == .validation && uri.explanation == uri.description)
        let logger = BatchingRunLoggerError.finished(runID: "abc")
        #expect(logger.exitCode == .validation && logger.explanation.contains("abc"))
    }

    @Test func configurationErrorsExitWithStatusSeven() {
        let error = ConfigurationError(
            code: .invalidURL, key: "MLFLOW_TRACKING_URI", displayValue: "ht!tp://x", source: nil, detail: "an http URL"
        )
        #expect(ErrorReporter.report(for: error).exitCode == .configuration)
        #expect(CLIExitCode.configuration.rawValue == 7)
    }

    @Test func exitStatusesAreStable() {
        #expect(
            [CLIExitCode.success, .failure, .usage, .notFound, .unreachable, .serverError, .validation, .configuration]
                .map(\.rawValue) == Array(0...7))
    }

    @Test func helpIsNotAnError() {
        let report = ErrorReporter.report(for: CleanExit.helpRequest(MLOps.self))
        #expect(report.exitCode == .success && report.toStandardOutput)
    }
}
