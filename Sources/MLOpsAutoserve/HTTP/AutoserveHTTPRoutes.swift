import MLOpsCore
import MLOpsMLflow
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The agent's HTTP endpoints as a pure function from request to response, so every route can be tested
/// without a socket; the executable's HTTP server only hands requests over.
///
/// | route | answer |
/// |---|---|
/// | `GET /metrics` | Prometheus text format: the registry exporter's and the agent's metrics |
/// | `GET /sd` | Prometheus HTTP service discovery: one target group per Ready instance |
/// | `GET /status` | ``AutoserveStatusDocument``: every serving key's status and the agent's own |
/// | `GET /status?model_name=M` | the original alias status service's view of model `M` |
/// | `GET /health` | `{"status":"ok"}`, as the original alias status service |
/// | `GET /healthz` | 200 while the process runs |
/// | `GET /readyz` | 200 once the first resync completed and the registry was last read, else 503 |
/// | `POST /webhooks/mlflow` | MLflow webhook receiver |
///
/// Unknown paths answer 404 and known paths with another method 405, both as JSON.
public struct AutoserveHTTPRoutes: Sendable {
    /// What the original alias status view (`/status?model_name=M`) needs beyond the registry snapshot.
    public struct AgentInfo: Sendable, Equatable {
        /// The tracking server, as it may be shown (credentials masked).
        public var trackingURI: String
        /// The aliases of the original status view when the request names none (`?aliases=a,b`).
        public var statusAliases: [String]

        public init(trackingURI: String, statusAliases: [String] = AliasManager.defaultStatusAliases) {
            self.trackingURI = trackingURI
            self.statusAliases = statusAliases
        }
    }

    /// The largest webhook body read; MLflow's deliveries are a few hundred bytes.
    public static let maximumWebhookBody = 64 * 1024

    public let state: any AutoserveStateSource
    public let health: AutoserveHealth
    public let metrics: AutoserveMetrics?
    public let exposition: MetricsExposition
    /// `nil` turns the webhook receiver off (no secret configured): its path then answers 404.
    public let webhookVerifier: (any WebhookDeliveryVerifying)?
    public let info: AgentInfo
    /// The gateway's routes and traffic, shown per key in `/status`; `nil` without a gateway.
    public let gateway: GatewayTrafficSummary?

    public init(
        state: any AutoserveStateSource, health: AutoserveHealth, metrics: AutoserveMetrics?,
        exposition: MetricsExposition, webhookVerifier: (any WebhookDeliveryVerifying)?, info: AgentInfo,
        gateway: GatewayTrafficSummary? = nil
    ) {
        self.gateway = gateway
        self.state = state
        self.health = health
        self.metrics = metrics
        self.exposition = exposition
        self.webhookVerifier = webhookVerifier
        self.info = info
    }

    /// The paths served, with their methods.
    public static let routes: [String: String] = [
        "/metrics": "GET", "/sd": "GET", "/status": "GET", "/health": "GET", "/healthz": "GET", "/readyz": "GET",
        "/webhooks/mlflow": "POST",
    ]

    /// Answers one request.
    public func respond(to request: AutoserveHTTPRequest) async -> AutoserveHTTPResponse {
        let path = request.path.count > 1 && request.path.hasSuffix("/") ? String(request.path.dropLast()) : request.path
        guard let method = Self.routes[path] else {
            return Self.json(status: 404, ErrorBody(error: "not found", path: path))
        }
        let allowed = method == "GET" ? ["GET", "HEAD"] : [method]
        guard allowed.contains(request.method) else {
            var response = Self.json(status: 405, ErrorBody(error: "method not allowed", path: path))
            response.headers["Allow"] = allowed.joined(separator: ", ")
            return response
        }
        var response: AutoserveHTTPResponse
        switch path {
        case "/metrics":
            response = AutoserveHTTPResponse(
                status: 200, headers: ["Content-Type": MetricsExposition.contentType], body: exposition.render())
        case "/sd":
            response = Self.json(status: 200, ServiceDiscovery.targetGroups(for: await state.statusDocument().keys))
        case "/status":
            if let model = request.query["model_name"] {
                response = await originalStatus(model: model, aliases: request.query["aliases"])
            } else {
                response = await agentStatus()
            }
        case "/health", "/healthz":
            response = Self.json(status: 200, ["status": "ok"])
        case "/readyz":
            let readiness = health.readiness
            response =
                readiness.isReady
                ? Self.json(status: 200, ["status": "ready"])
                : Self.json(status: 503, ["status": "not ready", "reason": readiness.reason ?? "not ready"])
        default:
            response = await receiveWebhook(request)
        }
        if request.method == "HEAD" { response.body = [] }
        return response
    }

    // MARK: /status

    private func agentStatus() async -> AutoserveHTTPResponse {
        var document = await state.statusDocument()
        document.keys.sort { $0.key < $1.key }
        if let gateway {
            let figures = gateway.summary()
            for index in document.keys.indices {
                let key = document.keys[index].key
                document.keys[index].gatewayURL = gateway.url(for: key)
                document.keys[index].requestsPerSecond = figures[key]?.requestsPerSecond ?? 0
                document.keys[index].errorRatio = figures[key]?.errorRatio ?? 0
            }
        }
        return Self.json(status: 200, document)
    }

    private struct OriginalStatusBody: Encodable {
        var modelName: String
        var trackingURI: String
        var aliases: [String: AliasStatus]

        enum CodingKeys: String, CodingKey {
            case modelName = "model_name"
            case trackingURI = "tracking_uri"
            case aliases
        }
    }

    /// `{model_name, tracking_uri, aliases: {alias: {version, run_id, stage} | {error}}}`, from the last
    /// resync's registry snapshot (no request to MLflow per call).
    private func originalStatus(model: String, aliases: String?) async -> AutoserveHTTPResponse {
        guard let snapshot = await state.lastSnapshot() else {
            return Self.json(status: 503, ["error": "the model registry has not been read yet"])
        }
        let requested = aliases.map { $0.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty } }
            ?? info.statusAliases
        let registered = snapshot.models.first { $0.name == model }
        var statuses: [String: AliasStatus] = [:]
        for alias in requested {
            guard let registered else {
                statuses[alias] = .failed("Registered Model with name=\(model) not found")
                continue
            }
            guard let version = registered.version(forAlias: alias) else {
                statuses[alias] = .failed("Registered model alias \(alias) not found.")
                continue
            }
            let details = snapshot.version(version, of: model)
            statuses[alias] = .assigned(version: version, runID: details?.runID, stage: details?.currentStage)
        }
        return Self.json(
            status: 200, OriginalStatusBody(modelName: model, trackingURI: info.trackingURI, aliases: statuses))
    }

    // MARK: /webhooks/mlflow

    private struct WebhookBody: Encodable {
        var result: String
        var event: String?
        var enqueued: String?
        var reason: String?
    }

    private func receiveWebhook(_ request: AutoserveHTTPRequest) async -> AutoserveHTTPResponse {
        guard let webhookVerifier else {
            return Self.json(
                status: 404, ErrorBody(error: "the webhook receiver is off (no webhook secret is configured)", path: request.path))
        }
        guard request.body.count <= Self.maximumWebhookBody else {
            metrics?.recordWebhookEvent(nil, result: .malformed)
            return Self.json(status: 413, WebhookBody(result: WebhookEventResult.malformed.rawValue, reason: "body too large"))
        }
        switch await webhookVerifier.verify(body: request.body, headers: request.headers) {
        case .accepted(let event, let key):
            metrics?.recordWebhookEvent(event, result: .accepted)
            if let key { state.enqueue(key) }
            return Self.json(
                status: 200, WebhookBody(result: WebhookEventResult.accepted.rawValue, event: event, enqueued: key?.description))
        case .duplicate(let event):
            metrics?.recordWebhookEvent(event, result: .duplicate)
            return Self.json(status: 200, WebhookBody(result: WebhookEventResult.duplicate.rawValue, event: event))
        case .rejected(let result, let status, let reason):
            metrics?.recordWebhookEvent(nil, result: result)
            return Self.json(status: status, WebhookBody(result: result.rawValue, reason: reason))
        }
    }

    // MARK: JSON

    private struct ErrorBody: Encodable {
        var error: String
        var path: String
    }

    static func json(status: Int, _ value: some Encodable) -> AutoserveHTTPResponse {
        let encoder = AutoserveStatusDocument.makeEncoder()
        encoder.outputFormatting.insert(.withoutEscapingSlashes)
        let body = (try? encoder.encode(value)).map(Array.init) ?? Array(#"{"error":"could not encode the response"}"#.utf8)
        return AutoserveHTTPResponse(
            status: status, headers: ["Content-Type": "application/json"], body: body + [UInt8(ascii: "\n")])
    }
}
