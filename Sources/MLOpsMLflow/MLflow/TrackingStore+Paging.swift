import MLOpsCore

extension TrackingStore {
    /// Every experiment matching `filter`, fetched page by page while iterating.
    ///
    /// - Parameters:
    ///   - pageSize: Experiments per request, 1 to ``MLflowLimits/maxSearchResults``.
    public func allExperiments(
        filter: String? = nil,
        orderBy: [String] = [],
        viewType: ViewType = .activeOnly,
        pageSize: Int = 1000
    ) -> PagedSequence<Experiment> {
        PagedSequence { token in
            try await searchExperiments(
                filter: filter,
                orderBy: orderBy,
                viewType: viewType,
                maxResults: pageSize,
                pageToken: token
            )
        }
    }

    /// Every run in `experimentIDs` matching `filter`, fetched page by page while iterating.
    ///
    /// - Parameters:
    ///   - pageSize: Runs per request, 1 to ``MLflowLimits/maxSearchResults``.
    public func allRuns(
        experimentIDs: [String],
        filter: String? = nil,
        orderBy: [String] = [],
        viewType: ViewType = .activeOnly,
        pageSize: Int = 1000
    ) -> PagedSequence<Run> {
        PagedSequence { token in
            try await searchRuns(
                experimentIDs: experimentIDs,
                filter: filter,
                orderBy: orderBy,
                viewType: viewType,
                maxResults: pageSize,
                pageToken: token
            )
        }
    }

    /// Every value logged for metric `key` of a run, fetched page by page while iterating.
    ///
    /// - Parameters:
    ///   - pageSize: Values per request, 1 to ``MLflowLimits/maxMetricHistoryResults``.
    public func metricHistory(
        runID: String,
        key: String,
        pageSize: Int = MLflowLimits.maxMetricHistoryResults
    ) -> PagedSequence<Metric> {
        PagedSequence { token in
            try await getMetricHistory(runID: runID, key: key, maxResults: pageSize, pageToken: token)
        }
    }
}
