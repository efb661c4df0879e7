import MLOpsKit

/// An error `mlops` knows how to explain and which exit status it means.
///
/// To give a library error its own status and message, conform it in this target, next to the command
/// family that meets it:
///
/// ```swift
/// extension MLflowError: CLIReportableError {
///     var exitCode: CLIExitCode { isNotFound ? .notFound : .serverError }
///     var message: String { description }
/// }
/// ```
///
/// Messages must never contain a secret.
protocol CLIReportableError: Error {
    /// The status `mlops` exits with.
    var exitCode: CLIExitCode { get }
    /// One or more lines for standard error, without the `Error: ` prefix.
    var message: String { get }
}

extension ConfigurationError: CLIReportableError {
    var exitCode: CLIExitCode { .configuration }
    var message: String { description }
}

extension DotEnvError: CLIReportableError {
    var exitCode: CLIExitCode { .configuration }
    var message: String { description }
}
