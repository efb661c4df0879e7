import MLOpsCore

/// Which lifecycle stages a search returns.
public enum ViewType: String, Sendable, Codable, Hashable, CaseIterable {
    /// Only active experiments or runs (the server's default).
    case activeOnly = "ACTIVE_ONLY"
    /// Only experiments or runs marked for deletion.
    case deletedOnly = "DELETED_ONLY"
    /// Both.
    case all = "ALL"
}
