import MLOpsCore

/// The logged data of a run.
public struct RunData: Sendable, Codable, Equatable {
    /// The latest value of each metric (full histories come from `getMetricHistory`).
    public var metrics: [Metric]
    /// The run's parameters.
    public var params: [Param]
    /// The run's tags, including system tags such as `mlflow.runName`.
    public var tags: [RunTag]

    /// Creates a run-data value.
    public init(metrics: [Metric] = [], params: [Param] = [], tags: [RunTag] = []) {
        self.metrics = metrics
        self.params = params
        self.tags = tags
    }

    /// The latest value of the metric called `key`, if logged.
    public func metric(_ key: String) -> Metric? {
        metrics.last { $0.key == key }
    }

    /// The value of the parameter called `key`, if logged.
    public func param(_ key: String) -> String? {
        params.last { $0.key == key }?.value
    }

    /// The value of the tag called `key`, if set.
    public func tag(_ key: String) -> String? {
        tags.last { $0.key == key }?.value
    }

    enum CodingKeys: String, CodingKey {
        case metrics
        case params
        case tags
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metrics = try container.decode(forKey: .metrics, default: [])
        params = try container.decode(forKey: .params, default: [])
        tags = try container.decode(forKey: .tags, default: [])
    }
}
