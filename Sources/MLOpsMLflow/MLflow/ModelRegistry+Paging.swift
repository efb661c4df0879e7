import MLOpsCore

extension ModelRegistry {
    /// Every registered model matching `filter`, with aliases, fetched page by page while iterating.
    ///
    /// - Parameters:
    ///   - pageSize: Models per request, 1 to ``MLflowLimits/maxRegisteredModelResults``.
    public func allRegisteredModels(
        filter: String? = nil,
        orderBy: [String] = [],
        pageSize: Int = MLflowLimits.maxRegisteredModelResults
    ) -> PagedSequence<RegisteredModel> {
        PagedSequence { token in
            try await searchRegisteredModels(filter: filter, orderBy: orderBy, maxResults: pageSize, pageToken: token)
        }
    }

    /// Every model version matching `filter`, fetched page by page while iterating. The server leaves
    /// ``ModelVersion/aliases`` empty here.
    ///
    /// - Parameters:
    ///   - pageSize: Versions per request, 1 to ``MLflowLimits/maxModelVersionResults``.
    public func allModelVersions(
        filter: String? = nil,
        orderBy: [String] = [],
        pageSize: Int = 10_000
    ) -> PagedSequence<ModelVersion> {
        PagedSequence { token in
            try await searchModelVersions(filter: filter, orderBy: orderBy, maxResults: pageSize, pageToken: token)
        }
    }
}
