import Logging

extension Logger {
    /// A logger that drops everything: the default for library types given no logger.
    public static let disabled = Logger(label: "mlopskit.disabled", factory: { _ in SwiftLogNoOpLogHandler() })
}
