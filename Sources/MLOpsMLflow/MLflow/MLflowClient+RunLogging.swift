import MLOpsCore

extension MLflowClient {
    /// Logs one metric value.
    ///
    /// For many values use ``logBatch(runID:metrics:params:tags:)``: one request carries up to 1000.
    ///
    /// - Parameters:
    ///   - value: The value; `NaN` and infinities are sent in a form the server stores correctly.
    ///   - timestamp: Milliseconds since 1970 (required by the server); see ``timestamp(_:)``.
    ///   - step: The training step; the server records 0 when `nil`.
    public func logMetric(
        runID: String,
        key: String,
        value: Double,
        timestamp: Int64,
        step: Int64? = nil
    ) async throws {
        let endpoint = MLflowEndpoint.logMetric
        try MLflowValidation.validateNotEmpty(runID, name: "run ID", endpoint: endpoint)
        try MLflowValidation.validateMetric(key: key, endpoint: endpoint)
        let body = TrackingWire.LogMetric(runID: runID, key: key, value: value, timestamp: timestamp, step: step)
        try await send(endpoint, body: body)
    }

    /// Logs a parameter. A param can be logged once per run; logging it again with another value fails
    /// with ``MLflowError/Code/invalidParameterValue``.
    ///
    /// Values longer than ``MLflowLimits/maxParamValueLength`` are rejected before sending, because the
    /// server would silently truncate them.
    public func logParam(runID: String, key: String, value: String) async throws {
        let endpoint = MLflowEndpoint.logParam
        try MLflowValidation.validateNotEmpty(runID, name: "run ID", endpoint: endpoint)
        try MLflowValidation.validateParam(key: key, value: value, endpoint: endpoint)
        try await send(endpoint, body: TrackingWire.KeyValue(runID: runID, key: key, value: value))
    }

    /// Sets a tag on a run, replacing any earlier value.
    ///
    /// Values longer than ``MLflowLimits/maxTagValueLength`` are rejected before sending.
    public func setTag(runID: String, key: String, value: String) async throws {
        let endpoint = MLflowEndpoint.setTag
        try MLflowValidation.validateNotEmpty(runID, name: "run ID", endpoint: endpoint)
        try MLflowValidation.validateTag(key: key, value: value, endpoint: endpoint)
        try await send(endpoint, body: TrackingWire.KeyValue(runID: runID, key: key, value: value))
    }

    /// Deletes a tag from a run.
    public func deleteTag(runID: String, key: String) async throws {
        let endpoint = MLflowEndpoint.deleteTag
        try MLflowValidation.validateNotEmpty(runID, name: "run ID", endpoint: endpoint)
        try MLflowValidation.validateKey(key, kind: "tag", endpoint: endpoint)
        try await send(endpoint, body: TrackingWire.DeleteTag(runID: runID, key: key))
    }

    /// Logs metrics, params and tags in as few `runs/log-batch` requests as the server's limits allow.
    ///
    /// Every key and value is checked first; if any is invalid nothing is sent. The entities are then
    /// split into requests of at most 100 params, 100 tags and 1000 metrics (1000 entities in all),
    /// params and tags first, each kind in the order given, and sent one after another. If a request
    /// fails, the earlier ones have been stored and the later ones are not sent.
    public func logBatch(
        runID: String,
        metrics: [Metric] = [],
        params: [Param] = [],
        tags: [RunTag] = []
    ) async throws {
        let endpoint = MLflowEndpoint.logBatch
        try MLflowValidation.validateNotEmpty(runID, name: "run ID", endpoint: endpoint)
        for param in params {
            try MLflowValidation.validateParam(key: param.key, value: param.value, endpoint: endpoint)
        }
        for tag in tags {
            try MLflowValidation.validateTag(key: tag.key, value: tag.value, endpoint: endpoint)
        }
        for metric in metrics {
            try MLflowValidation.validateMetric(key: metric.key, endpoint: endpoint)
        }
        for chunk in LogBatchPlan(metrics: metrics, params: params, tags: tags).chunks {
            let body = TrackingWire.LogBatch(
                runID: runID,
                metrics: chunk.metrics,
                params: chunk.params,
                tags: chunk.tags
            )
            try await send(endpoint, body: body)
        }
    }

    /// One page of the values logged for metric `key` of a run.
    ///
    /// - Parameters:
    ///   - maxResults: The page size, 1 to ``MLflowLimits/maxMetricHistoryResults``.
    ///   - pageToken: The previous page's ``Page/nextPageToken``, or `nil` for the first page.
    public func getMetricHistory(
        runID: String,
        key: String,
        maxResults: Int = MLflowLimits.maxMetricHistoryResults,
        pageToken: String? = nil
    ) async throws -> Page<Metric> {
        let endpoint = MLflowEndpoint.getMetricHistory
        try MLflowValidation.validateNotEmpty(runID, name: "run ID", endpoint: endpoint)
        try MLflowValidation.validateMaxResults(
            maxResults,
            maximum: MLflowLimits.maxMetricHistoryResults,
            endpoint: endpoint
        )
        var query: [(name: String, value: String)] = [
            ("run_id", runID), ("metric_key", key), ("max_results", String(maxResults)),
        ]
        if let pageToken { query.append(("page_token", pageToken)) }
        let response: TrackingWire.MetricHistoryResponse = try await send(endpoint, query: query)
        return Self.page(response.metrics, response.nextPageToken)
    }
}
