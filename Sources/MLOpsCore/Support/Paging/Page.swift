/// One page of a paginated search or listing.
public struct Page<Element: Sendable>: Sendable {
    /// The items on this page, in the server's order. Empty when the server sent none.
    public var items: [Element]
    /// The opaque token that fetches the next page, or `nil` on the last page.
    public var nextPageToken: String?

    /// Creates a page.
    public init(items: [Element], nextPageToken: String? = nil) {
        self.items = items
        self.nextPageToken = nextPageToken
    }

    /// Whether no page follows this one.
    public var isLastPage: Bool { nextPageToken == nil }
}

extension Page: Equatable where Element: Equatable {}
