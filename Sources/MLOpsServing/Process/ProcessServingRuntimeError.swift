import MLOpsCore

/// Why a ``ProcessServingRuntime`` could not open its state directory.
public enum ProcessServingRuntimeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another runtime (in this process or another one) holds the state directory's lock;
    /// `ownerProcessID` is the process that took it, when it recorded itself.
    case stateDirectoryLocked(path: String, ownerProcessID: Int32?)
    /// The state directory cannot be created, read or locked; `reason` says why.
    case stateDirectoryUnusable(path: String, reason: String)

    public var description: String {
        switch self {
        case .stateDirectoryLocked(let path, let owner?):
            "the serving state directory \(path) is in use by process \(owner)"
        case .stateDirectoryLocked(let path, nil):
            "the serving state directory \(path) is in use by another runtime"
        case .stateDirectoryUnusable(let path, let reason):
            "the serving state directory \(path) is unusable: \(reason)"
        }
    }
}
