import ArgumentParser
import AutoserveServer
import CMallocTuning
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import Logging
import MLOpsKit
import Prometheus
import ServiceLifecycle
import UnixSignals

/// The agent's parts, built from its configuration, and the three ways to run them.
struct Agent {
    enum Mode {
        case serve, once, dryRun
    }

    let configuration: MLOpsConfiguration
    let settings: AutoserveAgentSettings
    let logging: AgentLogging

    func run(mode: Mode) async throws {
        let logger = logging.logger("autoserve")
        let environment = ProcessInfo.processInfo.environment
        let choice = AutoserveRuntimeSelection.resolve(settings.runtime, environment: environment)
        let webhookSecret = try settings.loadWebhookSecret()
        // libcurl is loaded and libxml2 (for S3's answers) checked now: a missing one stops the agent at start-up
        // with the package to install, not at its first request.
        try SystemLibrary.requireLoadable()
        FileLimit.raiseSoftLimitToHard()
        // One libcurl transport for MLflow, the Docker Engine's socket, S3 and the model servers' probes.
        let transport = configuration.makePlainTransport(logger: logging.logger("autoserve.http-client"))
        let client = configuration.makeMLflowClient(
            transport: RetryingTransport(wrapping: transport, policy: configuration.retryPolicy, logger: logging.logger("autoserve.mlflow")),
            logger: logging.logger("autoserve.mlflow"))
        let opened = try await ServingRuntimeFactory.open(
            choice, settings: settings, configuration: configuration, client: client, environment: environment,
            logger: logging.logger("autoserve.runtime"), transport: transport)
        let runtime = opened.runtime
        // Input examples stored in S3 are read for the smoke invocation; a broken S3 configuration only
        // loses those, so it is reported and the agent goes on.
        let s3Client: S3Client?
        do {
            s3Client = try configuration.makeS3Client(transport: transport)
        } catch {
            s3Client = nil
            logger.warning(
                "S3 is not usable, input examples stored in S3 will not be read: \(error)",
                metadata: ["event": "s3-unavailable"])
        }
        let autoserve = AutoserveConfiguration(agent: configuration, settings: settings, runtime: runtime.name)

        let exporterRegistry = PrometheusCollectorRegistry()
        let agentRegistry = PrometheusCollectorRegistry()
        let exporterMetrics = RegistryExporterMetrics(registry: exporterRegistry, aliases: configuration.exporterAliases)
        let metrics = AutoserveMetrics(registry: agentRegistry, runtime: runtime.name)
        let health = AutoserveHealth()
        let observer = AutoserveObservers([exporterMetrics, metrics, health, AutoserveLogObserver(logger: logger)])
        // The gateway's routes, kept current by the reconciler; only `serve` runs the gateway itself.
        // Its request metrics go on the agent's own /metrics: one scrape has everything.
        let gatewayMetrics = GatewayMetrics(registry: agentRegistry)
        let gatewayRoutes =
            mode == .serve && settings.gatewayListen != nil
            ? GatewayRouteTable(
                canaries: settings.canaries, shadows: settings.shadows, onCanaries: gatewayMetrics.publishCanaries,
                // A retired instance's series stay 10 minutes, so the last increments are still scraped.
                onRetired: { target in
                    Task {
                        try? await Task.sleep(for: .seconds(600))
                        gatewayMetrics.forget(target)
                    }
                })
            : nil
        let reconciler = AliasReconciler(
            registry: client, runtime: runtime, configuration: autoserve,
            readiness: ServingReadinessChecker(transport: transport, policy: autoserve.readiness),
            inputExamples: RegistryInputExamples(client: client, s3Client: s3Client),
            observer: observer, logger: logging.logger("autoserve.reconciler"),
            traffic: gatewayRoutes ?? NoTrafficControl())

        logger.notice(
            "autoserve-agent \(MLOpsKitVersion.current) starting",
            metadata: [
                "event": "start", "runtime": "\(runtime.name)", "aliases": "\(autoserve.aliases.joined(separator: ","))",
                "tracking_uri": "\(Redaction.redact(configuration.trackingURI))",
                "resync_seconds": "\(configuration.servePollSeconds)", "webhooks": webhookSecret == nil ? "off" : "on",
                "gateway": "\(settings.gatewayListen.map { String(describing: $0) } ?? "off")",
                "malloc_arena_cap": "\(mlopskit_malloc_arena_cap())",
            ])

        switch mode {
        case .dryRun:
            defer { Task { await opened.close() } }
            let decisions = try await reconciler.plan()
            for decision in decisions { print(decision.description) }
            if decisions.isEmpty { print("nothing to do") }
            await opened.close()
        case .once:
            let statuses = await reconciler.reconcileOnce()
            let registryWasRead = await reconciler.lastSnapshot() != nil
            let document = await reconciler.statusDocument()
            await opened.close()
            let encoder = AutoserveStatusDocument.makeEncoder()
            encoder.outputFormatting.formUnion([.prettyPrinted, .withoutEscapingSlashes])
            print(String(decoding: try encoder.encode(document), as: UTF8.self))
            let status = AutoserveAgentExit.once(statuses: statuses, registryWasRead: registryWasRead)
            if status != AutoserveAgentExit.success { throw ExitCode(status) }
        case .serve:
            // The gateway's URL as clients on this host reach it (a wildcard address is shown as loopback).
            let gatewayTraffic = settings.gatewayListen.map { address in
                let summary = GatewayTrafficSummary(baseURL: "http://\(address)")
                summary.gatewayBound(to: address.description)
                return summary
            }
            let routes = AutoserveHTTPRoutes(
                state: reconciler, health: health, metrics: metrics,
                exposition: MetricsExposition(registries: [exporterRegistry, agentRegistry]),
                webhookVerifier: webhookSecret.map { WebhookVerifier(secret: $0) },
                info: .init(trackingURI: Redaction.redact(configuration.trackingURI)), gateway: gatewayTraffic)
            var services: [any Service] = []
            // The gateway starts before the reconciler, so it listens before the first key is routed.
            if let gatewayRoutes, let address = settings.gatewayListen {
                services.append(
                    GatewayService(
                        configuration: .init(
                            host: address.host, port: address.port, threads: settings.gatewayThreads,
                            maximumBodyBytes: settings.gatewayMaximumBodyBytes),
                        routes: gatewayRoutes, traffic: gatewayTraffic,
                        // Request metrics on the agent's own /metrics (one scrape has everything), and the
                        // per-key traffic /status shows.
                        observer: GatewayRequestObservers([gatewayMetrics] + (gatewayTraffic.map { [$0] } ?? [])),
                        logger: logging.logger("autoserve.gateway")))
            }
            services.append(ReconcilerService(reconciler: reconciler, logger: logger))
            services.append(
                HTTPServerService(
                    routes: routes, host: settings.listenHost, port: settings.listenPort,
                    logger: logging.logger("autoserve.http")))
            let group = ServiceGroup(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logging.logger("autoserve.lifecycle"))
            do {
                try await group.run()
            } catch {
                await opened.close()
                throw error
            }
            await opened.close()
            logger.notice("autoserve-agent stopped", metadata: ["event": "stop"])
        }
    }
}
