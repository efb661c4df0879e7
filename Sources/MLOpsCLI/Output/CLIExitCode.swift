import ArgumentParser

/// The exit statuses of `mlops`. Scripts may rely on them.
struct CLIExitCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    var rawValue: Int32

    init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// 0: the command did what was asked.
    static let success = CLIExitCode(rawValue: 0)
    /// 1: a failure no more specific status describes.
    static let failure = CLIExitCode(rawValue: 1)
    /// 2: the command line was wrong (unknown option, missing argument, invalid value); reported by the
    /// argument parser with usage help.
    static let usage = CLIExitCode(rawValue: 2)
    /// 3: what was asked for does not exist (model, alias, version, run, experiment, artifact…).
    static let notFound = CLIExitCode(rawValue: 3)
    /// 4: a server could not be reached (connection refused, DNS, TLS, timeout).
    static let unreachable = CLIExitCode(rawValue: 4)
    /// 5: a server answered with an error or a response that could not be understood.
    static let serverError = CLIExitCode(rawValue: 5)
    /// 6: input was rejected before anything was sent (bad name, malformed file…).
    static let validation = CLIExitCode(rawValue: 6)
    /// 7: the configuration (environment, `.env` file, configuration flags) is invalid.
    static let configuration = CLIExitCode(rawValue: 7)

    /// The argument parser's equivalent, to throw from `run()`.
    var exitCode: ExitCode { ExitCode(rawValue) }

    var description: String { "\(rawValue)" }
}
