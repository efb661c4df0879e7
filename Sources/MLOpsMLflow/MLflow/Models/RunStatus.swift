import MLOpsCore

/// The state of a run.
///
/// Behaves like an enum (`switch status { case .running: … }`) but decodes any string, so a status
/// added by a newer server does not break decoding.
public struct RunStatus: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The status as MLflow spells it, such as `"RUNNING"`.
    public let rawValue: String

    /// A status from its raw value.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The run is executing. MLflow's default for a new run.
    public static let running = RunStatus(rawValue: "RUNNING")
    /// The run is scheduled to execute at a later time.
    public static let scheduled = RunStatus(rawValue: "SCHEDULED")
    /// The run completed.
    public static let finished = RunStatus(rawValue: "FINISHED")
    /// The run failed.
    public static let failed = RunStatus(rawValue: "FAILED")
    /// The run was terminated.
    public static let killed = RunStatus(rawValue: "KILLED")

    /// Whether the run has ended (finished, failed or killed).
    public var isTerminal: Bool { self == .finished || self == .failed || self == .killed }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}
