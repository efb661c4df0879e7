import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Turns any error a command throws into a message on standard error and an exit status.
///
/// - ``CLIReportableError``: its ``CLIReportableError/explanation`` and ``CLIReportableError/exitCode``.
/// - The argument parser's own errors (`ValidationError`, `CleanExit`, usage errors): its message, with
///   usage errors mapped to ``CLIExitCode/usage``.
/// - `ExitCode`: that status, no message (the command has already said what went wrong).
/// - Anything else: its description and ``CLIExitCode/failure``.
enum ErrorReporter {
    /// What to print and the status to exit with.
    struct Report: Equatable {
        var message: String
        var exitCode: CLIExitCode
        /// Whether the message goes to standard output (help and version requests) rather than standard error.
        var toStandardOutput = false
    }

    /// The report for `error`, which `command` (the root command type) threw or failed to parse.
    static func report(for error: any Error, command: any ParsableCommand.Type = MLOps.self) -> Report {
        switch error {
        case let error as any CLIReportableError:
            return Report(message: "Error: \(error.explanation)", exitCode: error.exitCode)
        case let error as ExitCode:
            return Report(message: "", exitCode: CLIExitCode(rawValue: error.rawValue))
        case is CancellationError:
            return Report(message: "Error: cancelled", exitCode: .failure)
        default:
            break
        }
        let parserCode = command.exitCode(for: error)
        let message = command.fullMessage(for: error)
        if parserCode == .success {
            return Report(message: message, exitCode: .success, toStandardOutput: true)
        }
        if parserCode == .validationFailure {
            return Report(message: message, exitCode: .usage)
        }
        return Report(message: message, exitCode: CLIExitCode(rawValue: parserCode.rawValue))
    }

    /// Prints the report for `error` and returns its status.
    static func print(_ error: any Error, command: any ParsableCommand.Type = MLOps.self) -> CLIExitCode {
        let report = report(for: error, command: command)
        if !report.message.isEmpty {
            if report.toStandardOutput {
                Swift.print(report.message)
            } else {
                StandardError.write(report.message)
            }
        }
        return report.exitCode
    }
}

/// Lines for standard error.
enum StandardError {
    /// Writes `text` and a newline to standard error.
    static func write(_ text: String) {
        StandardStream.write(text + "\n", to: StandardStream.standardError)
    }
}
