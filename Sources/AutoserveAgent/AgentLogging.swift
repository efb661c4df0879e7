import FlyingSocks
import Logging
import MLOpsKit

/// The agent's loggers: JSON lines or plain text on standard error, at the configured level.
struct AgentLogging: Sendable {
    let format: AutoserveAgentSettings.LogFormat
    let level: Logger.Level

    init(settings: AutoserveAgentSettings) {
        format = settings.logFormat ?? (FileDescriptorLogOutput.standardError.isTerminal ? .text : .json)
        level = settings.logLevel
    }

    func logger(_ label: String) -> Logger {
        let format = format, level = level
        return Logger(label: label) { label -> any LogHandler in
            switch format {
            case .json: JSONLogHandler(label: label, level: level)
            case .text: TextLogHandler(label: label, level: level)
            }
        }
    }
}

/// FlyingFox's log calls, sent to a swift-log logger: connection chatter at debug level, and errors at
/// debug level too once the server is being stopped (closing its socket makes FlyingFox report one).
struct FlyingFoxLogger: FlyingSocks.Logging {
    let logger: Logger
    let stopping: @Sendable () -> Bool

    func logDebug(_ debug: @autoclosure () -> String) { logger.debug("\(debug())") }
    func logInfo(_ info: @autoclosure () -> String) { logger.debug("\(info())") }
    func logWarning(_ warning: @autoclosure () -> String) { logger.warning("\(warning())") }
    func logError(_ error: @autoclosure () -> String) {
        logger.log(level: stopping() ? .debug : .error, "\(error())")
    }
    func logCritical(_ critical: @autoclosure () -> String) {
        logger.log(level: stopping() ? .debug : .critical, "\(critical())")
    }
}
