import MLOpsKit

// Exit statuses and one-line explanations for the errors MLOpsKit throws. See `CLIExitCode`.

extension MLflowError: CLIReportableError {
    /// 3 when the addressed resource does not exist, 6 when the client rejected an argument before
    /// sending, 5 for everything else the server (or its response) got wrong.
    var exitCode: CLIExitCode {
        if isNotFound { return .notFound }
        if code == .invalidArgument { return .validation }
        return .serverError
    }

    var explanation: String {
        if isNotFound { return notFoundExplanation }
        if code == .invalidArgument { return firstLine }
        var text = "the MLflow server answered \(endpoint ?? "a request")"
        if let httpStatus { text += " with HTTP \(httpStatus)" }
        text += " \(code)"
        return firstLine.isEmpty ? text : "\(text): \(firstLine)"
    }

    /// The first line of the message: servers append stack traces and SQL to some messages.
    private var firstLine: String {
        String(message.prefix { $0 != "\n" && $0 != "\r" })
    }

    /// What was not found, in the words of the CLI: `registered model 'iris' not found`,
    /// `model 'iris' has no alias 'Staging'`, `run '…' not found`…
    ///
    /// Built from the MLflow server's messages, which name the resource; a message this does not
    /// recognise is shown as the server wrote it, with the operation.
    var notFoundExplanation: String {
        Self.notFoundExplanation(forServerMessage: firstLine) ?? "\(firstLine) (\(endpoint ?? "MLflow"))"
    }

    /// The CLI's wording for one of MLflow's not-found messages, or `nil` when it is not one of them.
    static func notFoundExplanation(forServerMessage message: String) -> String? {
        // MLflowClient's own message for a model that exists without the alias.
        if let match = message.wholeMatch(of: /registered model '(.*)' has no alias '(.*?)'( \(server: .*)?/) {
            return "model '\(match.1)' has no alias '\(match.2)'"
        }
        if let match = message.wholeMatch(of: /Registered Model with name=(.*) not found\.?/) {
            return "registered model '\(match.1)' not found"
        }
        if let match = message.wholeMatch(of: /Model Version \(name=(.*), version=(.*)\) not found\.?/) {
            return "model '\(match.1)' has no version '\(match.2)'"
        }
        if let match = message.wholeMatch(of: /Run (?:with id=)?'?(.*?)'? not found\.?/) {
            return "run '\(match.1)' not found"
        }
        if let match = message.wholeMatch(of: /No Experiment with id=(.*) exists\.?/) {
            return "experiment with ID '\(match.1)' not found"
        }
        if let match = message.wholeMatch(of: /Could not find experiment with name '(.*)'\.?/) {
            return "experiment '\(match.1)' not found"
        }
        return nil
    }
}

extension HTTPTransportError: CLIReportableError {
    /// 4 when the server could not be reached or the connection failed; 5 for a response too large
    /// to accept; 6 for a request that could not be built; 1 for a local file error.
    var exitCode: CLIExitCode {
        switch code {
        case .responseTooLarge: .serverError
        case .invalidRequest: .validation
        case .localFile: .failure
        default: .unreachable
        }
    }

    /// Names the redacted URL, what failed and how many attempts were made.
    var explanation: String {
        var text = "cannot reach \(redactedURL) (\(method)): \(code)"
        if !detail.isEmpty { text += ": \(detail)" }
        text += attempts == 1 ? " (1 attempt)" : " (gave up after \(attempts) attempts)"
        return text
    }
}

extension ModelURIError: CLIReportableError {
    var exitCode: CLIExitCode { .validation }
    var explanation: String { description }
}

extension AliasError: CLIReportableError {
    var exitCode: CLIExitCode { .validation }
    var explanation: String { description }
}

extension BatchingRunLoggerError: CLIReportableError {
    var exitCode: CLIExitCode { .validation }
    var explanation: String { description }
}

extension ArtifactError: CLIReportableError {
    var exitCode: CLIExitCode {
        switch code {
        case .notFound: .notFound
        case .invalidPath, .unsupportedStore: .validation
        case .localFile: .failure
        default: .serverError
        }
    }

    var explanation: String { description }
}
