import AutoserveServer
import Logging
import MLOpsKit
import ServiceLifecycle

/// The agent's HTTP server: ``AutoserveHTTPServer`` hands every request to ``AutoserveHTTPRoutes``. On
/// graceful shutdown it stops accepting connections and lets requests being answered finish (a few
/// seconds at most).
struct HTTPServerService: Service {
    let routes: AutoserveHTTPRoutes
    let host: String
    let port: Int
    let logger: Logger

    func run() async throws {
        let routes = routes
        let server = AutoserveHTTPServer(
            configuration: .init(host: host, port: port, maximumBodyBytes: AutoserveHTTPRoutes.maximumWebhookBody),
            logger: logger, handler: { request in await routes.respond(to: request) })
        let address = try await server.start()
        logger.notice(
            "listening on http://\(address)",
            metadata: ["event": "listening", "address": "\(address)", "connection_limit": "\(server.connectionLimit)"])
        // Returns on graceful shutdown, or throws when the service group cancels this service: stop either way.
        try? await gracefulShutdown()
        await server.stop()
        logger.notice("HTTP server closed", metadata: ["event": "http-closed"])
    }
}
