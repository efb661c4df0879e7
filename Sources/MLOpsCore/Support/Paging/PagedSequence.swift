/// Every item of a paginated listing, fetched one page at a time as iteration reaches it.
///
/// The sequence is driven by a closure that fetches the page for a token (`nil` for the first page).
/// Iteration ends after a page without a next-page token. Each iteration starts again from the
/// first page; nothing is cached.
///
/// ```swift
/// for try await model in client.allRegisteredModels(filter: "name LIKE 'iris%'") {
///     print(model.name, model.aliases)
/// }
/// ```
public struct PagedSequence<Element: Sendable>: AsyncSequence, Sendable {
    /// Fetches the page that `pageToken` names, or the first page for `nil`.
    public typealias FetchPage = @Sendable (_ pageToken: String?) async throws -> Page<Element>

    private let fetch: FetchPage

    /// Creates a sequence over the pages `fetch` returns.
    public init(fetch: @escaping FetchPage) {
        self.fetch = fetch
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(fetch: fetch)
    }

    /// Reads every page and returns all items in order.
    public func collect() async throws -> [Element] {
        var items: [Element] = []
        for try await item in self {
            items.append(item)
        }
        return items
    }

    /// Walks the pages, handing out their items one by one.
    public struct Iterator: AsyncIteratorProtocol {
        private let fetch: FetchPage
        private var buffer: [Element] = []
        private var bufferIndex = 0
        private var nextToken: String?
        private var isFinished = false
        private var tokensSeen: Set<String> = []

        fileprivate init(fetch: @escaping FetchPage) {
            self.fetch = fetch
        }

        /// The next item, fetching the next page when the current one is used up; `nil` at the end.
        ///
        /// A page token the server already returned ends the iteration, so a misbehaving server cannot
        /// cause an endless loop.
        public mutating func next() async throws -> Element? {
            while bufferIndex >= buffer.count {
                guard !isFinished else { return nil }
                try Task.checkCancellation()
                let page = try await fetch(nextToken)
                buffer = page.items
                bufferIndex = 0
                if let token = page.nextPageToken, tokensSeen.insert(token).inserted {
                    nextToken = token
                } else {
                    isFinished = true
                }
            }
            defer { bufferIndex += 1 }
            return buffer[bufferIndex]
        }
    }
}
