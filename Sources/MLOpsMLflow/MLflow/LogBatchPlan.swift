import MLOpsCore

/// How one `logBatch` call is split into `runs/log-batch` requests that each fit the server's limits
/// (``MLflowLimits``): at most 100 params, 100 tags and 1000 metrics, and 1000 entities in all.
///
/// Params and tags are placed first and metrics fill the room left in each request, as MLflow's own
/// Python client does; every kind keeps its order across requests. The result uses as few requests
/// as the limits allow.
struct LogBatchPlan: Sendable {
    /// The contents of one request.
    struct Chunk: Sendable, Equatable {
        var metrics: [Metric]
        var params: [Param]
        var tags: [RunTag]

        var entityCount: Int { metrics.count + params.count + tags.count }
    }

    /// The requests to send, in order. Empty when there is nothing to log.
    let chunks: [Chunk]

    init(metrics: [Metric], params: [Param], tags: [RunTag]) {
        var chunks: [Chunk] = []
        var metricIndex = 0
        var paramIndex = 0
        var tagIndex = 0
        while metricIndex < metrics.count || paramIndex < params.count || tagIndex < tags.count {
            let paramCount = min(MLflowLimits.maxParamsPerBatch, params.count - paramIndex)
            let tagCount = min(
                MLflowLimits.maxTagsPerBatch,
                tags.count - tagIndex,
                MLflowLimits.maxEntitiesPerBatch - paramCount
            )
            let metricCount = min(
                MLflowLimits.maxMetricsPerBatch,
                metrics.count - metricIndex,
                MLflowLimits.maxEntitiesPerBatch - paramCount - tagCount
            )
            chunks.append(
                Chunk(
                    metrics: Array(metrics[metricIndex..<metricIndex + metricCount]),
                    params: Array(params[paramIndex..<paramIndex + paramCount]),
                    tags: Array(tags[tagIndex..<tagIndex + tagCount])
                )
            )
            metricIndex += metricCount
            paramIndex += paramCount
            tagIndex += tagCount
        }
        self.chunks = chunks
    }
}
