import MLOpsKit

/// An error `mlops` knows how to explain and which exit status it means.
///
/// To give a library error its own status and message, conform it in this target
/// (see `LibraryErrors+CLIReportable.swift`):
///
/// ```swift
/// extension ModelURIError: CLIReportableError {
///     var exitCode: CLIExitCode { .validation }
///     var explanation: String { description }
/// }
/// ```
///
/// The requirement is called `explanation` rather than `message` because several library errors
/// already have a `message` property with another meaning (``MLflowError/message`` is the server's text).
///
/// Explanations must never contain a secret.
protocol CLIReportableError: Error {
    /// The status `mlops` exits with.
    var exitCode: CLIExitCode { get }
    /// One line for standard error, without the `Error: ` prefix, naming what was wrong.
    var explanation: String { get }
}

/// An error found by a command itself, such as a malformed `key=value` argument.
struct CLIError: CLIReportableError, Equatable {
    var exitCode: CLIExitCode
    var explanation: String

    init(_ exitCode: CLIExitCode, _ explanation: String) {
        self.exitCode = exitCode
        self.explanation = explanation
    }

    /// A value that was read from the command line but cannot be used (exit status 6).
    static func invalid(_ explanation: String) -> CLIError {
        CLIError(.validation, explanation)
    }

    /// Something asked for that does not exist (exit status 3).
    static func notFound(_ explanation: String) -> CLIError {
        CLIError(.notFound, explanation)
    }
}

extension ConfigurationError: CLIReportableError {
    var exitCode: CLIExitCode { .configuration }
    var explanation: String { description }
}

extension DotEnvError: CLIReportableError {
    var exitCode: CLIExitCode { .configuration }
    var explanation: String { description }
}
