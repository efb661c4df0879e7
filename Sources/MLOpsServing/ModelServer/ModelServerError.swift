import MLOpsCore

/// Why a model server request failed.
public enum ModelServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No HTTP answer came from `url`. `requestWasNotSent` is `true` when the connection itself failed
    /// (refused, no such host), so the request can be sent again elsewhere without running twice.
    case unreachable(url: String, reason: String, requestWasNotSent: Bool)
    /// The server answered with an HTTP error. `errorCode` and `message` come from its JSON error
    /// (`{"error_code": "BAD_REQUEST", "message": "…"}`); `message` is the body's first line otherwise.
    case rejected(url: String, status: Int, errorCode: String?, message: String)

    /// Whether the server refused the input itself (HTTP 400 or 422) rather than failing on it.
    public var isInputRejected: Bool {
        if case .rejected(_, let status, _, _) = self { return status == 400 || status == 422 }
        return false
    }

    public var description: String {
        switch self {
        case .unreachable(let url, let reason, _):
            return "the model server at \(url) is unreachable: \(reason)"
        case .rejected(let url, let status, let errorCode, let message):
            var text = "the model server at \(url) answered HTTP \(status)"
            if let errorCode { text += " \(errorCode)" }
            return message.isEmpty ? text : "\(text): \(message)"
        }
    }
}
