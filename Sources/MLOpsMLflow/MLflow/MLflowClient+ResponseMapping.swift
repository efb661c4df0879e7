import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension MLflowClient {
    /// The longest message kept from a non-JSON error body, in characters.
    static let maximumCleanedMessageLength = 200
    /// The longest message kept from a JSON error body, in characters.
    static let maximumServerMessageLength = 2000

    /// Turns a response into the endpoint's decoded value, or throws the ``MLflowError`` it describes.
    static func decode<Response: Decodable>(
        _ response: TransportResponse,
        from endpoint: MLflowEndpoint,
        as responseType: Response.Type
    ) throws(MLflowError) -> Response {
        guard response.isSuccess else { throw error(for: response, from: endpoint) }
        var body = response.body
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            body = Data("{}".utf8)
        }
        do {
            return try JSONDecoder().decode(Response.self, from: body)
        } catch let decodingError as DecodingError {
            throw MLflowError(
                code: .malformedResponse,
                httpStatus: response.status,
                message: "the response to \(endpoint.operationName) is not the expected JSON: "
                    + summary(of: decodingError),
                endpoint: endpoint.operationName
            )
        } catch {
            throw MLflowError(
                code: .malformedResponse,
                httpStatus: response.status,
                message: "the response to \(endpoint.operationName) could not be decoded: \(error)",
                endpoint: endpoint.operationName
            )
        }
    }

    /// The error a non-2xx response stands for.
    ///
    /// MLflow's JSON errors (`{"error_code": …, "message": …}`) keep their code and message. Other
    /// bodies (Flask's HTML 404/405/500 pages, the text 401/403 of `basic-auth`, proxies' pages) get a
    /// code derived from the status and a short message with markup removed.
    static func error(for response: TransportResponse, from endpoint: MLflowEndpoint) -> MLflowError {
        if let payload = try? JSONDecoder().decode(ErrorPayload.self, from: response.body) {
            let message = payload.message ?? payload.detail ?? ""
            return MLflowError(
                code: payload.errorCode.map(MLflowError.Code.init(rawValue:)) ?? code(forStatus: response.status),
                httpStatus: response.status,
                message: message.isEmpty
                    ? statusText(response.status) : truncate(message, to: maximumServerMessageLength),
                endpoint: endpoint.operationName,
                errorClass: payload.errorClass
            )
        }
        let cleaned = cleanedMessage(from: response.bodyText)
        return MLflowError(
            code: code(forStatus: response.status),
            httpStatus: response.status,
            message: cleaned.isEmpty ? statusText(response.status) : cleaned,
            endpoint: endpoint.operationName
        )
    }

    /// The MLflow code that best describes an HTTP status when the body names none.
    static func code(forStatus status: Int) -> MLflowError.Code {
        switch status {
        case 400: .badRequest
        case 401: .unauthenticated
        case 403: .permissionDenied
        case 404, 405: .endpointNotFound
        case 408, 504: .deadlineExceeded
        case 409: .resourceConflict
        case 429: .requestLimitExceeded
        case 501: .notImplemented
        case 502, 503: .temporarilyUnavailable
        case 400..<500: .badRequest
        case 500..<600: .internalError
        default: .unexpectedStatus
        }
    }

    /// Plain text from an error body: HTML head, scripts, styles and tags removed, entities decoded,
    /// whitespace collapsed, and the result cut to ``maximumCleanedMessageLength`` characters.
    static func cleanedMessage(from body: String) -> String {
        var text = body
        for element in ["head", "title", "script", "style"] {
            text = removingElements(named: element, from: text)
        }
        text = text.replacing(#/<[^>]*>/#, with: " ")
        let entities = [
            ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&#x27;", "'"), ("&nbsp;", " "),
        ]
        for (entity, replacement) in entities {
            text = text.replacing(entity, with: replacement)
        }
        text = text.replacing("&amp;", with: "&")
        let words = text.split(whereSeparator: { $0.isWhitespace || $0.isNewline })
        return truncate(words.joined(separator: " "), to: maximumCleanedMessageLength)
    }

    private static func removingElements(named name: String, from text: String) -> String {
        guard let pattern = try? Regex("<\(name)(\\s[^>]*)?>[\\s\\S]*?</\(name)\\s*>").ignoresCase() else {
            return text
        }
        return text.replacing(pattern, with: " ")
    }

    private static func truncate(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    private static func statusText(_ status: Int) -> String {
        let reasons = [
            400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
            405: "Method Not Allowed", 408: "Request Timeout", 409: "Conflict", 413: "Content Too Large",
            429: "Too Many Requests", 500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
            503: "Service Unavailable", 504: "Gateway Timeout",
        ]
        return reasons[status].map { "HTTP \(status) \($0)" } ?? "HTTP \(status)"
    }

    /// One line saying where and why a response failed to decode.
    package static func summary(of error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            let joined = codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return joined.isEmpty ? "the top level" : joined
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field \(path(context.codingPath + [key]))"
        case .typeMismatch(let type, let context):
            return "expected \(type) at \(path(context.codingPath))"
        case .valueNotFound(let type, let context):
            return "expected \(type) but found null at \(path(context.codingPath))"
        case .dataCorrupted(let context):
            return "\(context.debugDescription) (at \(path(context.codingPath)))"
        @unknown default:
            return "\(error)"
        }
    }

    /// The JSON error body MLflow sends, plus FastAPI's `detail` shape.
    private struct ErrorPayload: Decodable {
        var errorCode: String?
        var message: String?
        var errorClass: String?
        var detail: String?

        enum CodingKeys: String, CodingKey {
            case errorCode = "error_code"
            case message
            case errorClass = "error_class"
            case detail
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            errorCode = try container.decodeIfPresent(String.self, forKey: .errorCode)
            message = try container.decodeIfPresent(String.self, forKey: .message)
            errorClass = try container.decodeIfPresent(String.self, forKey: .errorClass)
            detail = try? container.decodeIfPresent(String.self, forKey: .detail)
            guard errorCode != nil || message != nil || detail != nil else {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not an error body"))
            }
        }
    }
}

extension MLflowClient {
    /// `value`, or a ``MLflowError/Code/malformedResponse`` error naming the missing field.
    static func require<Value>(_ value: Value?, _ field: String, from endpoint: MLflowEndpoint) throws(MLflowError)
        -> Value
    {
        guard let value else {
            throw MLflowError(
                code: .malformedResponse,
                httpStatus: 200,
                message: "the response to \(endpoint.operationName) has no '\(field)'",
                endpoint: endpoint.operationName
            )
        }
        return value
    }

    /// A page from a search response; an empty token counts as no token.
    static func page<Element>(_ items: [Element]?, _ token: String?) -> Page<Element> {
        Page(items: items ?? [], nextPageToken: token.flatMap { $0.isEmpty ? nil : $0 })
    }
}
