import MLOpsCore

/// Request and response bodies of the tracking endpoints, spelled as the server spells them.
enum TrackingWire {
    // MARK: Requests

    struct CreateExperiment: Encodable {
        var name: String
        var artifactLocation: String?
        var tags: [ExperimentTag]

        enum CodingKeys: String, CodingKey {
            case name
            case artifactLocation = "artifact_location"
            case tags
        }
    }

    struct SearchExperiments: Encodable {
        var maxResults: Int
        var pageToken: String?
        var filter: String?
        var orderBy: [String]
        var viewType: ViewType

        enum CodingKeys: String, CodingKey {
            case maxResults = "max_results"
            case pageToken = "page_token"
            case filter
            case orderBy = "order_by"
            case viewType = "view_type"
        }
    }

    struct ExperimentID: Encodable {
        var experimentID: String

        enum CodingKeys: String, CodingKey {
            case experimentID = "experiment_id"
        }
    }

    struct UpdateExperiment: Encodable {
        var experimentID: String
        var newName: String

        enum CodingKeys: String, CodingKey {
            case experimentID = "experiment_id"
            case newName = "new_name"
        }
    }

    struct SetExperimentTag: Encodable {
        var experimentID: String
        var key: String
        var value: String

        enum CodingKeys: String, CodingKey {
            case experimentID = "experiment_id"
            case key
            case value
        }
    }

    struct CreateRun: Encodable {
        var experimentID: String
        var userID: String?
        var runName: String?
        var startTime: Int64?
        var tags: [RunTag]

        enum CodingKeys: String, CodingKey {
            case experimentID = "experiment_id"
            case userID = "user_id"
            case runName = "run_name"
            case startTime = "start_time"
            case tags
        }
    }

    struct UpdateRun: Encodable {
        var runID: String
        var status: RunStatus?
        var endTime: Int64?
        var runName: String?

        enum CodingKeys: String, CodingKey {
            case runID = "run_id"
            case status
            case endTime = "end_time"
            case runName = "run_name"
        }
    }

    struct RunID: Encodable {
        var runID: String

        enum CodingKeys: String, CodingKey {
            case runID = "run_id"
        }
    }

    struct SearchRuns: Encodable {
        var experimentIDs: [String]
        var filter: String?
        var runViewType: ViewType
        var maxResults: Int
        var orderBy: [String]
        var pageToken: String?

        enum CodingKeys: String, CodingKey {
            case experimentIDs = "experiment_ids"
            case filter
            case runViewType = "run_view_type"
            case maxResults = "max_results"
            case orderBy = "order_by"
            case pageToken = "page_token"
        }
    }

    struct LogMetric: Encodable {
        var runID: String
        var key: String
        var value: Double
        var timestamp: Int64
        var step: Int64?

        enum CodingKeys: String, CodingKey {
            case runID = "run_id"
            case key
            case value
            case timestamp
            case step
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(runID, forKey: .runID)
            try container.encode(key, forKey: .key)
            try container.encodeMetricValue(value, forKey: .value)
            try container.encode(timestamp, forKey: .timestamp)
            try container.encodeIfPresent(step, forKey: .step)
        }
    }

    struct KeyValue: Encodable {
        var runID: String
        var key: String
        var value: String

        enum CodingKeys: String, CodingKey {
            case runID = "run_id"
            case key
            case value
        }
    }

    struct DeleteTag: Encodable {
        var runID: String
        var key: String

        enum CodingKeys: String, CodingKey {
            case runID = "run_id"
            case key
        }
    }

    struct LogBatch: Encodable {
        var runID: String
        var metrics: [Metric]
        var params: [Param]
        var tags: [RunTag]

        enum CodingKeys: String, CodingKey {
            case runID = "run_id"
            case metrics
            case params
            case tags
        }
    }

    // MARK: Responses

    struct CreateExperimentResponse: Decodable {
        var experimentID: String?

        enum CodingKeys: String, CodingKey {
            case experimentID = "experiment_id"
        }
    }

    struct ExperimentResponse: Decodable {
        var experiment: Experiment?
    }

    struct SearchExperimentsResponse: Decodable {
        var experiments: [Experiment]?
        var nextPageToken: String?

        enum CodingKeys: String, CodingKey {
            case experiments
            case nextPageToken = "next_page_token"
        }
    }

    struct RunResponse: Decodable {
        var run: Run?
    }

    struct UpdateRunResponse: Decodable {
        var runInfo: RunInfo?

        enum CodingKeys: String, CodingKey {
            case runInfo = "run_info"
        }
    }

    struct SearchRunsResponse: Decodable {
        var runs: [Run]?
        var nextPageToken: String?

        enum CodingKeys: String, CodingKey {
            case runs
            case nextPageToken = "next_page_token"
        }
    }

    struct MetricHistoryResponse: Decodable {
        var metrics: [Metric]?
        var nextPageToken: String?

        enum CodingKeys: String, CodingKey {
            case metrics
            case nextPageToken = "next_page_token"
        }
    }

    /// `GET logged-models/<id>`: `{"model": {"info": {"artifact_uri": …}}}`.
    struct LoggedModelResponse: Decodable {
        struct Model: Decodable {
            var info: Info?
        }

        struct Info: Decodable {
            var artifactURI: String?

            enum CodingKeys: String, CodingKey {
                case artifactURI = "artifact_uri"
            }
        }

        var model: Model?
    }
}
