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
