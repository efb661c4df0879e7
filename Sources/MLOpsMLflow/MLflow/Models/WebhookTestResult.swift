import MLOpsCore

/// What the server saw when it sent a test delivery to a webhook.
public struct WebhookTestResult: Sendable, Codable, Equatable {
    /// Whether the receiver answered with a status below 400.
    public var success: Bool
    /// The receiver's HTTP status, when it answered.
    public var responseStatus: Int?
    /// The receiver's response body, when it answered.
    public var responseBody: String?
    /// Why the delivery failed, when the receiver could not be reached.
    public var errorMessage: String?

    /// Creates a test result.
    public init(success: Bool, responseStatus: Int? = nil, responseBody: String? = nil, errorMessage: String? = nil) {
        self.success = success
        self.responseStatus = responseStatus
        self.responseBody = responseBody
        self.errorMessage = errorMessage
    }

    enum CodingKeys: String, CodingKey {
        case success
        case responseStatus = "response_status"
        case responseBody = "response_body"
        case errorMessage = "error_message"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        success = try container.decode(forKey: .success, default: false)
        responseStatus = try container.decodeIfPresent(Int.self, forKey: .responseStatus)
        responseBody = try container.decodeIfPresent(String.self, forKey: .responseBody)
        errorMessage = try container.decodeIfPresent(String.self, forKey: .errorMessage)
    }
}
