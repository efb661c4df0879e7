import MLOpsCore

/// What `GET /version` says about an Engine.
public struct DockerVersion: Sendable, Hashable, Decodable {
    /// The Engine's release, such as `20.10.24`.
    public var version: String
    /// The newest API version it speaks, such as `1.41`.
    public var apiVersion: String
    /// The oldest API version it accepts, such as `1.12` (Engine 20.10) or `1.44` (Engine 29).
    public var minimumAPIVersion: String?
    public var operatingSystem: String?
    public var architecture: String?

    public init(version: String, apiVersion: String, minimumAPIVersion: String? = nil, operatingSystem: String? = nil, architecture: String? = nil) {
        self.version = version
        self.apiVersion = apiVersion
        self.minimumAPIVersion = minimumAPIVersion
        self.operatingSystem = operatingSystem
        self.architecture = architecture
    }

    enum CodingKeys: String, CodingKey {
        case version = "Version"
        case apiVersion = "ApiVersion"
        case minimumAPIVersion = "MinAPIVersion"
        case operatingSystem = "Os"
        case architecture = "Arch"
    }
}
