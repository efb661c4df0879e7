import FlyingFox
import FlyingSocks
import Foundation
import Logging
import MLOpsKit
import ServiceLifecycle
import Synchronization

/// The agent's HTTP server: FlyingFox hands every request to ``AutoserveHTTPRoutes``. On graceful
/// shutdown it stops accepting connections and lets those under way finish (a few seconds at most).
struct HTTPServerService: Service {
    let routes: AutoserveHTTPRoutes
    let host: String
    let port: Int
    let logger: Logger

    func run() async throws {
        let stopping = Mutex(false)
        let server = HTTPServer(
            address: try Self.address(host: host, port: port), timeout: 15,
            logger: FlyingFoxLogger(logger: logger, stopping: { stopping.withLock { $0 } }),
            handler: RoutesHandler(routes: routes))
        let logger = logger
        let announcer = Task {
            try await server.waitUntilListening(timeout: 30)
            let where_ = await server.listeningAddress.map(Self.describe) ?? "\(host):\(port)"
            logger.notice("listening on http://\(where_)", metadata: ["event": "listening", "address": "\(where_)"])
        }
        defer { announcer.cancel() }
        do {
            try await withGracefulShutdownHandler {
                try await server.run()
            } onGracefulShutdown: {
                stopping.withLock { $0 = true }
                Task { await server.stop(timeout: 3) }
            }
        } catch where stopping.withLock({ $0 }) {
            // Closing the listening socket ends `run()` with an error: that is the requested stop.
        }
        logger.notice("HTTP server closed", metadata: ["event": "http-closed"])
    }

    /// The socket address for a numeric IPv4 or IPv6 host (`localhost` means 127.0.0.1).
    static func address(host: String, port: Int) throws -> any SocketAddress {
        let host = host == "localhost" ? "127.0.0.1" : host
        if host.contains(":") { return try sockaddr_in6.inet6(ip6: host, port: UInt16(port)) }
        return try sockaddr_in.inet(ip4: host, port: UInt16(port))
    }

    static func describe(_ address: Socket.Address) -> String {
        switch address {
        case .ip4(let host, let port): "\(host):\(port)"
        case .ip6(let host, let port): "[\(host)]:\(port)"
        case .unix(let path): path
        }
    }
}

/// Converts between FlyingFox's requests and responses and the routes' own.
struct RoutesHandler: HTTPHandler {
    let routes: AutoserveHTTPRoutes

    func handleRequest(_ request: FlyingFox.HTTPRequest) async throws -> FlyingFox.HTTPResponse {
        var headers: [String: String] = [:]
        for (name, value) in request.headers {
            let key = name.rawValue.lowercased()
            headers[key] = headers[key].map { "\($0), \(value)" } ?? value
        }
        var query: [String: String] = [:]
        for item in request.query { query[item.name] = item.value }
        // Bodies larger than the routes accept are not read into memory.
        let declaredLength = headers["content-length"].flatMap(Int.init) ?? 0
        let body: [UInt8] =
            declaredLength > AutoserveHTTPRoutes.maximumWebhookBody
            ? Array(repeating: 0, count: AutoserveHTTPRoutes.maximumWebhookBody + 1)
            : Array(try await request.bodyData)
        let response = await routes.respond(
            to: AutoserveHTTPRequest(
                method: request.method.rawValue, path: request.path, query: query, headers: headers, body: body))
        var responseHeaders = FlyingFox.HTTPHeaders()
        for (name, value) in response.headers { responseHeaders[FlyingFox.HTTPHeader(rawValue: name)] = value }
        return FlyingFox.HTTPResponse(
            statusCode: HTTPStatusCode(response.status, phrase: Self.phrase(response.status)),
            headers: responseHeaders, body: Data(response.body))
    }

    static func phrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 413: "Content Too Large"
        case 503: "Service Unavailable"
        default: "Status \(status)"
        }
    }
}
