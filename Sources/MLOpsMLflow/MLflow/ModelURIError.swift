import MLOpsCore

/// A string that is not a model URI ``ModelURI`` understands.
public struct ModelURIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The string that failed to parse.
    public var input: String
    /// Why it failed.
    public var reason: String

    /// Creates an error for `input`.
    public init(input: String, reason: String) {
        self.input = input
        self.reason = reason
    }

    public var description: String {
        "invalid model URI '\(input)': \(reason)"
    }
}
