import MLOpsCore

/// Why a ``ServingRuntime`` could not do what it was asked.
public enum ServingRuntimeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No instance has this ID.
    case instanceNotFound(String)
    /// An instance with this name exists already.
    case nameConflict(String)
    /// The runtime cannot be reached (Docker daemon down, state directory unreadable); `reason` says why.
    case unavailable(String)
    /// The instance could not be started; `reason` says why (image missing, command not found, port taken).
    case startFailed(id: String, reason: String)
    /// This runtime cannot start the instance again (a process runtime opened after it was created does
    /// not hold its environment); remove it and create it afresh.
    case mustBeRecreated(id: String, reason: String)
    /// The spec or the runtime's configuration is unusable; `reason` names what is wrong.
    case invalidSpec(String)
    /// Any other failure the runtime reported.
    case failed(operation: String, reason: String)

    public var description: String {
        switch self {
        case .instanceNotFound(let id): "no serving instance \(id)"
        case .nameConflict(let name): "a serving instance called \(name) exists already"
        case .unavailable(let reason): "serving runtime unavailable: \(reason)"
        case .startFailed(let id, let reason): "serving instance \(id) did not start: \(reason)"
        case .mustBeRecreated(let id, let reason): "serving instance \(id) must be created again: \(reason)"
        case .invalidSpec(let reason): "invalid serving spec: \(reason)"
        case .failed(let operation, let reason): "\(operation) failed: \(reason)"
        }
    }
}
