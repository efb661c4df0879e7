import MLOpsCore

/// Limits of the MLflow REST API that ``MLflowClient`` enforces or works within.
public enum MLflowLimits {
    /// The longest metric, param or tag key, in characters.
    public static let maxKeyLength = 250
    /// The longest param value, in characters. The server would silently truncate longer ones.
    public static let maxParamValueLength = 6000
    /// The longest run tag value, in characters. The server would silently truncate longer ones.
    public static let maxTagValueLength = 8000

    /// The most metrics one `runs/log-batch` request may carry.
    public static let maxMetricsPerBatch = 1000
    /// The most params one `runs/log-batch` request may carry.
    public static let maxParamsPerBatch = 100
    /// The most tags one `runs/log-batch` request may carry.
    public static let maxTagsPerBatch = 100
    /// The most metrics, params and tags together one `runs/log-batch` request may carry.
    public static let maxEntitiesPerBatch = 1000

    /// The largest page of experiment or run search results.
    public static let maxSearchResults = 50_000
    /// The largest page of a metric history.
    public static let maxMetricHistoryResults = 25_000
    /// The largest page of registered-model search results.
    public static let maxRegisteredModelResults = 1000
    /// The largest page of model-version search results.
    public static let maxModelVersionResults = 200_000
    /// The largest page of a webhook listing.
    public static let maxWebhookResults = 1000
}
