import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The tracking server's artifact proxy (`mlflow server` with proxied artifacts): runs whose artifact
/// URI is `mlflow-artifacts:/<path>` read and write their files through
/// `/api/2.0/mlflow-artifacts/artifacts/<path>` on the tracking server.
extension MLflowClient {
    static let artifactProxyRoot = "/api/2.0/mlflow-artifacts/artifacts"

    private struct ProxyListing: Decodable {
        struct File: Decodable {
            var path: String
            var isDir: Bool?
            var fileSize: Int64?

            enum CodingKeys: String, CodingKey {
                case path
                case isDir = "is_dir"
                case fileSize = "file_size"
            }
        }

        var files: [File]?
    }

    /// The entries directly under `path` (relative to the proxy's root, such as
    /// `1/<run id>/artifacts/model`), with paths relative to `path`. A missing directory is empty.
    public func listProxiedArtifacts(_ path: String) async throws -> [ArtifactEntry] {
        let endpoint = MLflowEndpoint(.get, "mlflow-artifacts/artifacts")
        var request = try proxyRequest(endpoint, path: nil)
        request.url = try appendingQuery(to: request.url, name: "path", value: path)
        let response = try await transport.send(request)
        let listing = try Self.decode(response, from: endpoint, as: ProxyListing.self)
        return (listing.files ?? []).map { ArtifactEntry(path: $0.path, isDirectory: $0.isDir ?? false, size: $0.fileSize) }
    }

    /// Uploads a local file to `path` through the proxy, streaming it from disk.
    public func uploadProxiedArtifact(file: URL, to path: String) async throws {
        let endpoint = MLflowEndpoint(.put, "mlflow-artifacts/artifacts", idempotent: true)
        var request = try proxyRequest(endpoint, path: path)
        request.body = .file(file)
        request.headers["Content-Type"] = "application/octet-stream"
        request.timeout = nil  // large files: the low-speed limit guards stalls instead
        let response = try await transport.send(request)
        guard response.isSuccess else { throw Self.error(for: response, from: endpoint) }
    }

    /// Downloads the artifact at `path` through the proxy into `file`, atomically.
    public func downloadProxiedArtifact(_ path: String, to file: URL) async throws {
        let endpoint = MLflowEndpoint(.get, "mlflow-artifacts/artifacts")
        var request = try proxyRequest(endpoint, path: path)
        request.responseDestination = .file(file)
        request.timeout = nil
        let response = try await transport.send(request)
        guard response.isSuccess else { throw Self.error(for: response, from: endpoint) }
    }

    private func proxyRequest(_ endpoint: MLflowEndpoint, path: String?) throws(MLflowError) -> TransportRequest {
        guard var components = URLComponents(url: configuration.trackingURI, resolvingAgainstBaseURL: true) else {
            throw MLflowError(
                code: .invalidArgument,
                message: "the tracking URI \(Redaction.redact(configuration.trackingURI)) is not a valid URL",
                endpoint: endpoint.operationName)
        }
        var basePath = components.percentEncodedPath
        while basePath.hasSuffix("/") { basePath.removeLast() }
        let suffix = path.map { "/" + ArtifactPath.percentEncoded($0) } ?? ""
        components.percentEncodedPath = basePath + Self.artifactProxyRoot + suffix
        components.query = nil
        components.fragment = nil
        guard let url = components.url else {
            throw MLflowError(code: .invalidArgument, message: "cannot build the artifact URL for '\(path ?? "")'", endpoint: endpoint.operationName)
        }
        var headers: TransportHeaders = [:]
        if let authorization = configuration.credentials.authorizationHeaderValue {
            headers["Authorization"] = authorization
        }
        return TransportRequest(
            method: endpoint.method, url: url, headers: headers, timeout: configuration.requestTimeout,
            isIdempotent: endpoint.isIdempotent, operationName: endpoint.operationName)
    }

    private func appendingQuery(to url: URL, name: String, value: String) throws(MLflowError) -> URL {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: true) else { return url }
        components.percentEncodedQuery = PercentEncoding.query([(name: name, value: value)])
        return components.url ?? url
    }
}
