import MLOpsKit

// Exit statuses and explanations for the serving errors `mlops serve` reports. See `CLIExitCode`.

extension ServingEndpointResolverError: CLIReportableError {
    /// 3 when nothing serves the key; 4 when neither the agent nor the runtime could be asked.
    var exitCode: CLIExitCode {
        switch self {
        case .notServed: .notFound
        case .unavailable: .unreachable
        }
    }

    var explanation: String { description }
}

extension ModelServerError: CLIReportableError {
    /// 4 when the model server cannot be reached; 6 when it refused the input (HTTP 400 or 422); 5 for
    /// any other error it answered.
    var exitCode: CLIExitCode {
        switch self {
        case .unreachable: .unreachable
        case .rejected: isInputRejected ? .validation : .serverError
        }
    }

    var explanation: String { description }
}

extension AutoserveAgentClientError: CLIReportableError {
    /// 4 when the agent cannot be reached; 5 when it answered something other than its status.
    var exitCode: CLIExitCode {
        switch self {
        case .agentUnreachable: .unreachable
        case .badStatus, .undecodableBody: .serverError
        }
    }

    var explanation: String { description }
}

extension ServingRuntimeError: CLIReportableError {
    /// 3 for an unknown instance; 4 when the runtime cannot be reached; 6 for an unusable spec or
    /// configuration; 1 for everything else.
    var exitCode: CLIExitCode {
        switch self {
        case .instanceNotFound: .notFound
        case .unavailable: .unreachable
        case .invalidSpec: .validation
        case .nameConflict, .startFailed, .mustBeRecreated, .failed: .failure
        }
    }

    var explanation: String { description }
}

extension ProcessServingRuntimeError: CLIReportableError {
    /// 4: the process runtime's state directory cannot be used.
    var exitCode: CLIExitCode { .unreachable }
    var explanation: String { description }
}

extension AutoserveAgentError: CLIReportableError {
    /// 4 when the serving runtime (Docker) does not answer; 7 for an unreadable webhook secret file.
    var exitCode: CLIExitCode {
        switch self {
        case .runtimeUnavailable: .unreachable
        case .webhookSecretFileUnreadable: .configuration
        }
    }

    var explanation: String { description }
}
