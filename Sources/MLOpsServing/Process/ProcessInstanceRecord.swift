import MLOpsCore
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What the state directory keeps about one instance: exactly what a runtime opened later needs to
/// find, adopt and report it. No environment values (they may be secret), only their names.
struct ProcessInstanceRecord: Codable, Sendable, Hashable {
    var id: String
    var name: String
    var labels: [String: String]
    /// The port on 127.0.0.1, also in the `mlflow_port` label.
    var port: Int
    /// The model server's process ID, which is also its process group and session ID; `nil` when it
    /// never started or has exited.
    var processID: Int32?
    /// Field 22 of `/proc/<pid>/stat` (clock ticks after boot) when it started: a process with the
    /// same ID and another start time is not ours.
    var processStartTicks: UInt64?
    var logPath: String
    var createdAt: Date
    var startedAt: Date?
    var finishedAt: Date?
    /// The exit status when the runtime reaped the process itself: the exit code, or 128 + the signal.
    var exitCode: Int32?
    /// Whether it was last started rather than stopped.
    var desiredRunning: Bool
    /// The command line it last started with.
    var command: [String]?
    /// The names of the spec's environment variables, whose values only the runtime that created the
    /// instance holds.
    var environmentNames: [String]

    /// Whether it ever started.
    var everStarted: Bool { startedAt != nil }
}

extension ProcessInstanceRecord {
    /// Now on `clock`, to the whole second: what the state file keeps (ISO 8601), so that a record
    /// read back equals the one written.
    static func now(_ clock: ServingClock) -> Date {
        Date(timeIntervalSince1970: Double(clock.unixSeconds()))
    }
}
