import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// A client for the MLflow tracking server's REST API: experiments, runs, metrics, params and tags
/// (``TrackingStore``) and the model registry (``ModelRegistry``).
///
/// The client is a small value: it holds its ``Configuration``, an ``HTTPTransport`` and a `Logger`,
/// and keeps no other state, so copies can be shared freely between tasks.
///
/// ```swift
/// let client = MLflowClient(
///     configuration: .init(trackingURI: URL(string: "http://127.0.0.1:5000")!),
///     transport: transport
/// )
/// let experimentID = try await client.createExperiment(name: "iris")
/// let run = try await client.createRun(experimentID: experimentID, runName: "baseline")
/// try await client.logBatch(runID: run.info.runID, metrics: metrics, params: params)
/// ```
///
/// Failures the server reports, and arguments rejected before sending, throw ``MLflowError``.
/// Failures to get any response at all throw the transport's ``HTTPTransportError`` unchanged.
public struct MLflowClient: Sendable {
    /// Where the server is and how to authenticate.
    public let configuration: Configuration
    /// What sends the requests.
    public let transport: any HTTPTransport
    /// Receives one `debug` line per request. Defaults to a logger that discards everything.
    public let logger: Logger

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - configuration: The server URL, credentials and timeout.
    ///   - transport: What sends the requests, for example a `CurlTransport`.
    ///   - logger: Where request-level `debug` lines go; nothing is logged above `debug`.
    public init(
        configuration: Configuration,
        transport: any HTTPTransport,
        logger: Logger = Logger(label: "MLOpsKit.MLflowClient", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.configuration = configuration
        self.transport = transport
        self.logger = logger
    }

    // MARK: Sending

    /// A response body with no fields of interest; decodes from `{}` and from any JSON object.
    struct Empty: Decodable, Sendable {}

    /// Sends one request to `endpoint` and decodes its JSON response.
    ///
    /// Every REST call of the client goes through here. GET parameters go in `query`; every other
    /// method sends `body` as JSON (MLflow reads DELETE parameters from a JSON body too).
    func send<Response: Decodable>(
        _ endpoint: MLflowEndpoint,
        query: [(name: String, value: String)] = [],
        body: (any Encodable)? = nil,
        as responseType: Response.Type = Response.self
    ) async throws -> Response {
        let request = try makeRequest(endpoint, query: query, body: body)
        let clock = ContinuousClock()
        let start = clock.now
        let response = try await transport.send(request)
        logger.debug(
            "MLflow request",
            metadata: [
                "mlflow.endpoint": "\(endpoint.operationName)",
                "http.status": "\(response.status)",
                "duration": "\(clock.now - start)",
            ]
        )
        return try Self.decode(response, from: endpoint, as: responseType)
    }

    /// Sends one request to `endpoint` and ignores the body of a successful response.
    func send(
        _ endpoint: MLflowEndpoint,
        query: [(name: String, value: String)] = [],
        body: (any Encodable)? = nil
    ) async throws {
        let _: Empty = try await send(endpoint, query: query, body: body)
    }

    /// Builds the HTTP request for `endpoint`: URL below the API root, JSON body and headers.
    func makeRequest(
        _ endpoint: MLflowEndpoint,
        query: [(name: String, value: String)] = [],
        body: (any Encodable)? = nil
    ) throws(MLflowError) -> TransportRequest {
        guard var components = URLComponents(url: configuration.trackingURI, resolvingAgainstBaseURL: true)
        else {
            throw MLflowError(
                code: .invalidArgument,
                message: "the tracking URI \(Redaction.redact(configuration.trackingURI)) is not a valid URL",
                endpoint: endpoint.operationName
            )
        }
        var basePath = components.percentEncodedPath
        while basePath.hasSuffix("/") { basePath.removeLast() }
        components.percentEncodedPath = basePath + MLflowEndpoint.apiRoot + endpoint.path
        components.percentEncodedQuery = query.isEmpty ? nil : PercentEncoding.query(query)
        components.fragment = nil
        guard let url = components.url else {
            throw MLflowError(
                code: .invalidArgument,
                message: "could not build a URL from the tracking URI \(Redaction.redact(configuration.trackingURI))",
                endpoint: endpoint.operationName
            )
        }

        var headers: TransportHeaders = ["Accept": "application/json"]
        var requestBody = TransportRequest.Body.none
        if endpoint.method != .get && endpoint.method != .head {
            let data: Data
            do {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                if let body {
                    data = try encoder.encode(body)
                } else {
                    data = Data("{}".utf8)
                }
            } catch {
                throw MLflowError(
                    code: .invalidArgument,
                    message: "could not encode the request body as JSON: \(error)",
                    endpoint: endpoint.operationName
                )
            }
            headers["Content-Type"] = "application/json"
            requestBody = .bytes(data)
        }
        if let authorization = configuration.credentials.authorizationHeaderValue {
            headers["Authorization"] = authorization
        }

        return TransportRequest(
            method: endpoint.method,
            url: url,
            headers: headers,
            body: requestBody,
            timeout: configuration.requestTimeout,
            isIdempotent: endpoint.isIdempotent,
            operationName: endpoint.operationName
        )
    }
}
