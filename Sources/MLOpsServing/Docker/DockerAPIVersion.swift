import MLOpsCore

/// A Docker Engine API version such as `1.41`, the `/v1.41/` prefix of every versioned path.
public struct DockerAPIVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    public init(_ major: Int, _ minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// Parses `1.41`; `nil` for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let major = Int(parts[0]), let minor = Int(parts[1]), major >= 0, minor >= 0 else {
            return nil
        }
        self.init(major, minor)
    }

    /// The oldest API this client speaks: Engine 20.10.
    public static let clientMinimum = DockerAPIVersion(1, 41)
    /// The newest API this client speaks. Everything it sends and reads has the same shape from 1.41
    /// to here; Engine 29 and later refuse anything below 1.44.
    public static let clientMaximum = DockerAPIVersion(1, 47)

    /// The version to talk to an Engine that speaks up to `serverMaximum` (`ApiVersion` of
    /// `GET /version`) and no older than `serverMinimum` (`MinAPIVersion`): the newer of what both
    /// sides speak, `min(clientMaximum, serverMaximum)`. Throws
    /// ``DockerError/unsupportedAPIVersion(server:serverMinimum:)`` when that is below the server's
    /// minimum (the client is too old for it) or below `clientMinimum` (the Engine is too old).
    public static func negotiate(
        serverMaximum: DockerAPIVersion,
        serverMinimum: DockerAPIVersion?,
        clientMinimum: DockerAPIVersion = .clientMinimum,
        clientMaximum: DockerAPIVersion = .clientMaximum
    ) throws(DockerError) -> DockerAPIVersion {
        let chosen = min(clientMaximum, serverMaximum)
        if let serverMinimum, chosen < serverMinimum {
            throw .unsupportedAPIVersion(server: serverMaximum.description, serverMinimum: serverMinimum.description)
        }
        guard chosen >= clientMinimum else {
            throw .unsupportedAPIVersion(server: serverMaximum.description, serverMinimum: serverMinimum?.description)
        }
        return chosen
    }

    public static func < (lhs: DockerAPIVersion, rhs: DockerAPIVersion) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }

    public var description: String { "\(major).\(minor)" }
}
