import MLOpsCore

extension ModelURI {
    /// The artifact location the URI stands for, looked up on the tracking server when needed.
    ///
    /// - `models:/<name>/<version>`: the version's download URI (one request).
    /// - `models:/<name>@<alias>`: the alias's version, then its download URI (two requests).
    /// - `models:/m-<id>`: the logged model's artifact URI (one request).
    /// - `runs:/<run id>/<path>`: the run's artifact URI joined with `path` (one request).
    /// - `mlflow-artifacts:`, `s3://` and `file://` URIs are locations already and are returned as they are.
    ///
    /// - Returns: A URI string such as `mlflow-artifacts:/1/<run>/artifacts/model`.
    /// - Throws: ``MLflowError`` from the lookups, for example a not-found error for a missing alias.
    public func resolve(using store: some ModelRegistry & TrackingStore) async throws -> String {
        switch self {
        case .registeredModelVersion(let name, let version):
            return try await store.getModelVersionDownloadURI(name: name, version: version)
        case .registeredModelAlias(let name, let alias):
            let version = try await store.getModelVersion(name: name, alias: alias)
            return try await store.getModelVersionDownloadURI(name: name, version: version.version)
        case .loggedModel(let id):
            return try await store.getLoggedModelArtifactURI(modelID: id)
        case .runArtifact(let runID, let path):
            let run = try await store.getRun(id: runID)
            guard var root = run.info.artifactURI, !root.isEmpty else {
                throw MLflowError(
                    code: .malformedResponse,
                    message: "run \(runID) has no artifact URI, so \(self) cannot be resolved",
                    endpoint: MLflowEndpoint.getRun.operationName
                )
            }
            while root.hasSuffix("/") { root.removeLast() }
            return path.isEmpty ? root : root + "/" + path
        case .mlflowArtifacts, .s3, .file:
            return description
        }
    }
}
