#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import NIOHTTP1

/// An answer the gateway gives on its own, with an MLflow-style JSON error body
/// (`{"error_code": …, "message": …}`, as the scoring server and the tracking server answer).
struct GatewayAnswer {
    let status: HTTPResponseStatus
    let errorCode: String
    let message: String
    var model: String?
    var alias: String?
    var extraHeaders: [(String, String)] = []

    static func notFound(_ message: String, model: String? = nil, alias: String? = nil) -> GatewayAnswer {
        GatewayAnswer(status: .notFound, errorCode: "RESOURCE_DOES_NOT_EXIST", message: message, model: model, alias: alias)
    }

    static func methodNotAllowed(allow: [String]) -> GatewayAnswer {
        GatewayAnswer(
            status: .methodNotAllowed, errorCode: "METHOD_NOT_ALLOWED",
            message: "this endpoint answers \(allow.joined(separator: ", "))", extraHeaders: [("allow", allow.joined(separator: ", "))])
    }

    static func unavailable(model: String, alias: String, retryAfter: Duration) -> GatewayAnswer {
        let seconds = max(1, Int(retryAfter.components.seconds) + (retryAfter.components.attoseconds > 0 ? 1 : 0))
        return GatewayAnswer(
            status: .serviceUnavailable, errorCode: "TEMPORARILY_UNAVAILABLE",
            message: "no instance of \(model)/\(alias) is ready; retry in \(seconds) s", model: model, alias: alias,
            extraHeaders: [("retry-after", String(seconds))])
    }

    static func tooLarge(limit: Int) -> GatewayAnswer {
        GatewayAnswer(
            status: .payloadTooLarge, errorCode: "REQUEST_TOO_LARGE",
            message: "the request body is larger than the gateway's limit of \(limit) bytes")
    }

    static func badGateway(_ message: String, model: String, alias: String) -> GatewayAnswer {
        GatewayAnswer(status: .badGateway, errorCode: "BAD_GATEWAY", message: message, model: model, alias: alias)
    }

    static func gatewayTimeout(_ message: String, model: String, alias: String) -> GatewayAnswer {
        GatewayAnswer(status: .gatewayTimeout, errorCode: "GATEWAY_TIMEOUT", message: message, model: model, alias: alias)
    }

    static func requestTimeout() -> GatewayAnswer {
        GatewayAnswer(status: .requestTimeout, errorCode: "REQUEST_TIMEOUT", message: "the request stopped arriving")
    }

    private struct Body: Encodable {
        let error_code: String
        let message: String
        let model: String?
        let alias: String?
    }

    /// The JSON body.
    var body: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let encoded = try? encoder.encode(Body(error_code: errorCode, message: message, model: model, alias: alias))
        return encoded.map { Array($0) + [0x0A] } ?? Array("{\"error_code\":\"\(errorCode)\"}\n".utf8)
    }
}
