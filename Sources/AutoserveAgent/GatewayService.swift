import AutoserveServer
import Logging
import MLOpsKit
import ServiceLifecycle

/// The serving gateway: a stable route per (model, alias), `/models/{model}/{alias}/invocations` and its
/// `ping`, `health` and `version`, in front of the instance that serves the key now. The reconciler keeps
/// `routes` current; on graceful shutdown the gateway stops accepting connections and lets requests in
/// flight finish (its stop grace at most).
struct GatewayService: Service {
    let configuration: GatewayServer.Configuration
    let routes: GatewayRouteTable
    /// Told the bound address, for the URLs `/status` shows.
    let traffic: GatewayTrafficSummary?
    let observer: any GatewayRequestObserver
    let logger: Logger

    func run() async throws {
        let server = GatewayServer(configuration: configuration, routes: routes, observer: observer, logger: logger)
        let address = try await server.start()
        traffic?.gatewayBound(to: address)
        logger.notice(
            "listening on http://\(address)",
            metadata: [
                "event": "gateway-listening", "address": "\(address)", "threads": "\(configuration.threads)",
                "max_body_bytes": "\(configuration.maximumBodyBytes)", "connection_limit": "\(server.connectionLimit)",
            ])
        // Returns on graceful shutdown, or throws when the service group cancels this service: stop either way.
        try? await gracefulShutdown()
        await server.stop()
        logger.notice("gateway closed", metadata: ["event": "gateway-closed"])
    }
}
