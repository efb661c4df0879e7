import MLOpsCore

/// What one check found.
public struct HealthResult: Sendable, Hashable, Codable {
    /// The service's name, as in the check.
    public var name: String
    /// The URL asked, with any credentials or query masked.
    public var url: String
    /// Whether the service is ready.
    public var isUp: Bool
    /// Whether the service being down fails the whole check.
    public var isRequired: Bool
    /// How long the answer took, in seconds; `nil` when there was none.
    public var latencySeconds: Double?
    /// What the service said or what went wrong, on one line: `OK`, `scheduler unhealthy`,
    /// `connection refused`, `timed out after 3 s`.
    public var detail: String

    /// Creates a result.
    public init(name: String, url: String, isUp: Bool, isRequired: Bool, latencySeconds: Double?, detail: String) {
        self.name = name
        self.url = url
        self.isUp = isUp
        self.isRequired = isRequired
        self.latencySeconds = latencySeconds
        self.detail = detail
    }

    enum CodingKeys: String, CodingKey {
        case name, url
        case isUp = "up"
        case isRequired = "required"
        case latencySeconds = "latency_seconds"
        case detail
    }
}

/// The results of one round of checks.
public struct HealthReport: Sendable, Hashable, Codable {
    /// One result per check, in the order of the checks.
    public var results: [HealthResult]

    /// Creates a report.
    public init(results: [HealthResult]) {
        self.results = results
    }

    /// Whether every required service is up.
    public var requiredServicesAreUp: Bool { results.allSatisfy { $0.isUp || !$0.isRequired } }

    /// The required services that are down.
    public var requiredServicesDown: [HealthResult] { results.filter { $0.isRequired && !$0.isUp } }
}
