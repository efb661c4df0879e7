import MLOpsCore

/// Why ``AutoserveAgentClient`` could not read the agent's status.
public enum AutoserveAgentClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No HTTP answer came from `url` (connection refused, timeout, DNS…); `reason` says which.
    case agentUnreachable(url: String, reason: String)
    /// The agent answered with a status other than 200; `detail` is the first line of its body.
    case badStatus(url: String, status: Int, detail: String)
    /// The body was not a status document; `reason` says what did not decode.
    case undecodableBody(url: String, reason: String)

    public var description: String {
        switch self {
        case .agentUnreachable(let url, let reason):
            "the autoserve agent at \(url) is unreachable: \(reason)"
        case .badStatus(let url, let status, let detail):
            "the autoserve agent at \(url) answered HTTP \(status)" + (detail.isEmpty ? "" : ": \(detail)")
        case .undecodableBody(let url, let reason):
            "the autoserve agent at \(url) sent no status document: \(reason)"
        }
    }
}
