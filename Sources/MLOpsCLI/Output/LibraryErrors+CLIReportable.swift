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

    /// Names the redacted URL, what failed and how many attempts were made. A response refused as too
    /// large came from a server that was reached, and says so.
    var explanation: String {
        let what = code == .responseTooLarge ? "refused the response of" : "cannot reach"
        var text = "\(what) \(redactedURL) (\(method)): \(code)"
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

// MARK: S3

extension S3Error: CLIReportableError {
    /// 3 when the bucket, key or upload does not exist; 7 when the server refused the credentials
    /// (a signature it cannot verify, an unknown access key, an expired or invalid session token, access
    /// denied); 5 for everything else the server answered.
    var exitCode: CLIExitCode {
        if isNotFound { return .notFound }
        if refusesCredentials { return .configuration }
        return .serverError
    }

    /// Whether the server refused who the request came from, rather than what it asked: fixed by
    /// configuring other credentials. A HEAD request's bare 403 counts: it is what a wrong secret gets.
    var refusesCredentials: Bool {
        switch code {
        case .signatureDoesNotMatch, .invalidAccessKeyId, .authorizationHeaderMalformed,
            .authorizationQueryParametersError, .expiredToken, .invalidToken, .accessDenied, .forbidden,
            Code(rawValue: "IncompleteSignature"), Code(rawValue: "InvalidSecurity"),
            Code(rawValue: "TokenRefreshRequired"):
            true
        case .requestTimeTooSkewed:
            false  // the clock is wrong, not the credentials
        default:
            httpStatus == 401 || httpStatus == 403
        }
    }

    /// Names the bucket and key as an s3:// URI, what the server said and, for refused credentials,
    /// which settings to check. Never a credential or a signature: ``S3Error`` keeps neither.
    var explanation: String {
        let subject = subjectURI
        if isNotFound {
            switch code {
            case .noSuchBucket: return "bucket '\(bucket ?? "?")' does not exist"
            case .noSuchUpload: return "no such multipart upload for \(subject)"
            default: return key == nil ? "bucket '\(bucket ?? "?")' does not exist" : "\(subject) not found"
            }
        }
        // "SignatureDoesNotMatch (HTTP 403) from ListObjectsV2"
        var what = "\(code)"
        if let httpStatus { what += " (HTTP \(httpStatus))" }
        if let operation { what += " from \(operation)" }
        // A response without an error document has the status as its message: do not say it twice.
        let said = firstLine.isEmpty || firstLine.hasPrefix("HTTP \(httpStatus ?? 0)") ? "" : ": \(firstLine)"
        if refusesCredentials {
            if code == .accessDenied || code == .forbidden {
                return "the S3 server denied access to \(subject): \(what)\(said); the credentials "
                    + "(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) are wrong or lack permission"
            }
            if code == .expiredToken || code == .invalidToken || code == Code(rawValue: "TokenRefreshRequired") {
                return "the S3 server refused the session token for \(subject): \(what)\(said); renew AWS_SESSION_TOKEN"
            }
            return "the S3 server refused the credentials for \(subject): \(what)\(said); check AWS_ACCESS_KEY_ID "
                + "and AWS_SECRET_ACCESS_KEY (and AWS_REGION)"
        }
        switch code {
        case .bucketAlreadyOwnedByYou:
            return "bucket '\(bucket ?? "?")' already exists (--ignore-existing accepts that)"
        case .bucketAlreadyExists:
            return "bucket name '\(bucket ?? "?")' is taken: \(what)\(said)"
        case .bucketNotEmpty:
            return "bucket '\(bucket ?? "?")' is not empty (--force deletes its objects first)"
        case .requestTimeTooSkewed:
            return "the S3 server refused the request for \(subject): this machine's clock is too far from the server's"
        default:
            return "the S3 server answered \(subject) with \(what)\(said)"
        }
    }

    /// `s3://bucket/key`, `s3://bucket`, or `the service` for requests without a bucket.
    private var subjectURI: String {
        guard let bucket else { return key.map { "key '\($0)'" } ?? "the service" }
        guard let key, !key.isEmpty else { return "s3://\(bucket)" }
        return "s3://\(bucket)/\(key)"
    }

    /// The first line of the server's message.
    private var firstLine: String {
        String(message.prefix { $0 != "\n" && $0 != "\r" })
    }
}

extension S3TransferError: CLIReportableError {
    /// 6 for an argument that cannot work; 1 for a local file that cannot be read or written; 5 when
    /// the bytes or the server's answers do not match (checksum, object changed, unexpected response).
    var exitCode: CLIExitCode {
        switch code {
        case .invalidArgument: .validation
        case .cannotRead, .cannotWrite: .failure
        default: .serverError
        }
    }

    /// Names the file, bucket or key concerned.
    var explanation: String { description }
}

extension S3URIError: CLIReportableError {
    var exitCode: CLIExitCode { .validation }
    var explanation: String { description }
}

extension CredentialError: CLIReportableError {
    var exitCode: CLIExitCode { .configuration }
    var explanation: String { description }
}

extension S3EndpointError: CLIReportableError {
    var exitCode: CLIExitCode { .configuration }
    var explanation: String { description }
}

extension SigV4Error: CLIReportableError {
    var exitCode: CLIExitCode { .validation }
    var explanation: String { description }
}

extension AirflowError: CLIReportableError {
    /// 3 for an unknown DAG, run, task or try; 7 when Airflow refused the credentials
    /// (`AIRFLOW_ADMIN_USER`/`AIRFLOW_ADMIN_PASSWORD`); 1 when a wait ran out of time; 5 for everything
    /// else Airflow answered.
    var exitCode: CLIExitCode {
        switch code {
        case .notFound: .notFound
        case .unauthorized, .forbidden: .configuration
        case .timedOut: .failure
        default: .serverError
        }
    }

    var explanation: String {
        switch code {
        case .unauthorized:
            "Airflow refused the credentials: \(message) (check AIRFLOW_ADMIN_USER and AIRFLOW_ADMIN_PASSWORD)"
        case .forbidden:
            "Airflow's user may not do this: \(message) (AIRFLOW_ADMIN_USER needs a role that allows it)"
        default:
            description
        }
    }
}
