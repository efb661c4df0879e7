import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One MLflow REST operation: its method, its path below `/api/2.0/mlflow/`, and whether repeating
/// it is harmless.
struct MLflowEndpoint: Sendable, Hashable {
    var method: TransportMethod
    /// The path relative to the API root, already percent-encoded where it embeds values.
    var path: String
    /// Overrides the method's idempotence for POSTs that are naturally idempotent (setting a tag to a
    /// fixed value, moving an alias, updating a field). `nil` keeps the method's default.
    var isIdempotent: Bool?

    init(_ method: TransportMethod, _ path: String, idempotent: Bool? = nil) {
        self.method = method
        self.path = path
        self.isIdempotent = idempotent
    }

    /// The name used in errors and logs, such as `"POST runs/log-batch"`.
    var operationName: String { "\(method) \(path)" }

    /// The prefix every tracking and registry path hangs off.
    static let apiRoot = "/api/2.0/mlflow/"

    // MARK: Experiments

    static let createExperiment = MLflowEndpoint(.post, "experiments/create")
    static let getExperiment = MLflowEndpoint(.get, "experiments/get")
    static let getExperimentByName = MLflowEndpoint(.get, "experiments/get-by-name")
    static let searchExperiments = MLflowEndpoint(.post, "experiments/search", idempotent: true)
    static let deleteExperiment = MLflowEndpoint(.post, "experiments/delete")
    static let restoreExperiment = MLflowEndpoint(.post, "experiments/restore")
    static let updateExperiment = MLflowEndpoint(.post, "experiments/update", idempotent: true)
    static let setExperimentTag = MLflowEndpoint(.post, "experiments/set-experiment-tag", idempotent: true)

    // MARK: Runs

    static let createRun = MLflowEndpoint(.post, "runs/create")
    static let getRun = MLflowEndpoint(.get, "runs/get")
    static let updateRun = MLflowEndpoint(.post, "runs/update", idempotent: true)
    static let deleteRun = MLflowEndpoint(.post, "runs/delete")
    static let restoreRun = MLflowEndpoint(.post, "runs/restore")
    static let searchRuns = MLflowEndpoint(.post, "runs/search", idempotent: true)
    static let logMetric = MLflowEndpoint(.post, "runs/log-metric")
    static let logParam = MLflowEndpoint(.post, "runs/log-parameter")
    static let setTag = MLflowEndpoint(.post, "runs/set-tag", idempotent: true)
    static let deleteTag = MLflowEndpoint(.post, "runs/delete-tag", idempotent: true)
    static let logBatch = MLflowEndpoint(.post, "runs/log-batch")
    static let getMetricHistory = MLflowEndpoint(.get, "metrics/get-history")

    /// `GET logged-models/<id>` (MLflow 3).
    static func getLoggedModel(id: String) -> MLflowEndpoint {
        MLflowEndpoint(.get, "logged-models/" + PercentEncoding.encode(id))
    }

    // MARK: Registered models

    static let createRegisteredModel = MLflowEndpoint(.post, "registered-models/create")
    static let getRegisteredModel = MLflowEndpoint(.get, "registered-models/get")
    static let renameRegisteredModel = MLflowEndpoint(.post, "registered-models/rename")
    static let updateRegisteredModel = MLflowEndpoint(.patch, "registered-models/update", idempotent: true)
    static let deleteRegisteredModel = MLflowEndpoint(.delete, "registered-models/delete")
    static let searchRegisteredModels = MLflowEndpoint(.get, "registered-models/search")
    static let setRegisteredModelTag = MLflowEndpoint(.post, "registered-models/set-tag", idempotent: true)
    static let deleteRegisteredModelTag = MLflowEndpoint(.delete, "registered-models/delete-tag")

    // MARK: Model versions

    static let createModelVersion = MLflowEndpoint(.post, "model-versions/create")
    static let getModelVersion = MLflowEndpoint(.get, "model-versions/get")
    static let updateModelVersion = MLflowEndpoint(.patch, "model-versions/update", idempotent: true)
    static let deleteModelVersion = MLflowEndpoint(.delete, "model-versions/delete")
    static let searchModelVersions = MLflowEndpoint(.get, "model-versions/search")
    static let getModelVersionDownloadURI = MLflowEndpoint(.get, "model-versions/get-download-uri")
    static let setModelVersionTag = MLflowEndpoint(.post, "model-versions/set-tag", idempotent: true)
    static let deleteModelVersionTag = MLflowEndpoint(.delete, "model-versions/delete-tag")

    // MARK: Aliases

    static let setRegisteredModelAlias = MLflowEndpoint(.post, "registered-models/alias", idempotent: true)
    static let deleteRegisteredModelAlias = MLflowEndpoint(.delete, "registered-models/alias")
    static let getModelVersionByAlias = MLflowEndpoint(.get, "registered-models/alias")

    // MARK: Webhooks

    static let createWebhook = MLflowEndpoint(.post, "webhooks")
    static let listWebhooks = MLflowEndpoint(.get, "webhooks")

    /// `GET webhooks/<id>`.
    static func getWebhook(id: String) -> MLflowEndpoint {
        MLflowEndpoint(.get, "webhooks/" + PercentEncoding.encode(id))
    }

    /// `PATCH webhooks/<id>`; sending the same fields again leaves the same webhook.
    static func updateWebhook(id: String) -> MLflowEndpoint {
        MLflowEndpoint(.patch, "webhooks/" + PercentEncoding.encode(id), idempotent: true)
    }

    /// `DELETE webhooks/<id>`.
    static func deleteWebhook(id: String) -> MLflowEndpoint {
        MLflowEndpoint(.delete, "webhooks/" + PercentEncoding.encode(id))
    }

    /// `POST webhooks/<id>/test`: the server sends one example delivery.
    static func testWebhook(id: String) -> MLflowEndpoint {
        MLflowEndpoint(.post, "webhooks/" + PercentEncoding.encode(id) + "/test")
    }
}
