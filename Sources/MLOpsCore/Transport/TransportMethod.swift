/// An HTTP request method.
public struct TransportMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue.uppercased() }

    public static let get = TransportMethod(rawValue: "GET")
    public static let head = TransportMethod(rawValue: "HEAD")
    public static let post = TransportMethod(rawValue: "POST")
    public static let put = TransportMethod(rawValue: "PUT")
    public static let patch = TransportMethod(rawValue: "PATCH")
    public static let delete = TransportMethod(rawValue: "DELETE")
    public static let options = TransportMethod(rawValue: "OPTIONS")

    /// Whether repeating the request has the same effect as sending it once (RFC 9110 §9.2.2).
    public var isIdempotent: Bool {
        switch rawValue {
        case "GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE": true
        default: false
        }
    }

    public var description: String { rawValue }
}
