import MLOpsCore

/// Why a ``DockerEngineClient`` call failed.
public enum DockerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The Engine answered `status` with `message` (its `{"message": …}` document) to `operation`.
    case engine(status: Int, message: String, operation: String)
    /// The Engine could not be reached at `host` (no daemon on the socket, connection refused).
    case unavailable(host: String, reason: String)
    /// The connection failed after the Engine was reached (timeout, connection lost).
    case transport(operation: String, reason: String)
    /// The Engine and this client share no API version: the Engine speaks up to `server` and no
    /// older than `serverMinimum`; this client speaks ``DockerAPIVersion/clientMinimum`` to
    /// ``DockerAPIVersion/clientMaximum``.
    case unsupportedAPIVersion(server: String, serverMinimum: String?)
    /// An image build failed; `message` is the Engine's `error` line.
    case buildFailed(image: String, message: String)
    /// The Engine's answer could not be read.
    case invalidResponse(operation: String, reason: String)
    /// `DOCKER_HOST` or another host string is unusable.
    case invalidHost(String)

    /// The HTTP status of an ``engine(status:message:operation:)`` error.
    public var status: Int? {
        if case .engine(let status, _, _) = self { return status }
        return nil
    }

    /// Whether the Engine said 404: no such container or image.
    public var isNotFound: Bool { status == 404 }

    /// Whether the Engine said 409: a name in use, or a state conflict.
    public var isConflict: Bool { status == 409 }

    public var description: String {
        switch self {
        case .engine(let status, let message, let operation):
            "Docker \(operation) failed: \(status) \(message)"
        case .unavailable(let host, let reason):
            "Docker Engine unavailable at \(host): \(reason)"
        case .transport(let operation, let reason):
            "Docker \(operation) failed: \(reason)"
        case .unsupportedAPIVersion(let server, let minimum):
            "Docker Engine API \(server)\(minimum.map { " (minimum \($0))" } ?? "") is outside what this client "
                + "speaks (\(DockerAPIVersion.clientMinimum) to \(DockerAPIVersion.clientMaximum))"
        case .buildFailed(let image, let message):
            "building image \(image) failed: \(message)"
        case .invalidResponse(let operation, let reason):
            "unreadable Docker answer to \(operation): \(reason)"
        case .invalidHost(let reason):
            "invalid Docker host \(reason)"
        }
    }
}
