import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One message of `GET /events`.
public struct DockerEvent: Sendable, Hashable, Decodable {
    /// `container`, `image`, `network`, …
    public var type: String
    /// `start`, `die`, `oom`, `destroy`, `health_status: healthy`, …
    public var action: String
    /// The container (image, network) the event is about.
    public var actorID: String
    /// The actor's attributes: for a container its labels, plus `name`, `image` and, for `die`,
    /// `exitCode`.
    public var attributes: [String: String]
    /// When it happened, in nanoseconds since 1970.
    public var timeNano: Int64

    public init(type: String, action: String, actorID: String, attributes: [String: String] = [:], timeNano: Int64 = 0) {
        self.type = type
        self.action = action
        self.actorID = actorID
        self.attributes = attributes
        self.timeNano = timeNano
    }

    enum CodingKeys: String, CodingKey {
        case type = "Type", action = "Action", actor = "Actor", time, timeNano
        case legacyStatus = "status", legacyID = "id"
    }

    struct Actor: Decodable {
        var ID: String?
        var Attributes: [String: String]?
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decodeIfPresent(String.self, forKey: .type) ?? ""
        let actor = try container.decodeIfPresent(Actor.self, forKey: .actor)
        action = try container.decodeIfPresent(String.self, forKey: .action)
            ?? container.decodeIfPresent(String.self, forKey: .legacyStatus) ?? ""
        actorID = try actor?.ID ?? container.decodeIfPresent(String.self, forKey: .legacyID) ?? ""
        attributes = actor?.Attributes ?? [:]
        if let nanos = try container.decodeIfPresent(Int64.self, forKey: .timeNano) {
            timeNano = nanos
        } else {
            let seconds = try container.decodeIfPresent(Int64.self, forKey: .time) ?? 0
            let (nanos, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
            guard !overflow else {
                throw DecodingError.dataCorruptedError(
                    forKey: .time, in: container, debugDescription: "time \(seconds) is out of range")
            }
            timeNano = nanos
        }
    }

    /// Attributes the Engine adds to a container's labels in its events.
    static let nonLabelAttributes: Set<String> = ["name", "image", "exitCode", "signal", "execDuration"]

    /// The container's labels: the attributes without the Engine's own (`name`, `image`, `exitCode`, …).
    public var labels: [String: String] {
        attributes.filter { !Self.nonLabelAttributes.contains($0.key) }
    }

    /// The exit code of a `die` event.
    public var exitCode: Int32? { attributes["exitCode"].flatMap { Int32($0) } }
}

/// Which events `GET /events` sends.
public struct DockerEventFilter: Sendable, Hashable {
    /// `container`, `image`, …; all when empty.
    public var types: [String]
    /// Actions such as `die`; all when empty.
    public var actions: [String]
    /// Labels the actor must carry (`key=value`).
    public var labels: [String: String]

    public init(types: [String] = [], actions: [String] = [], labels: [String: String] = [:]) {
        self.types = types
        self.actions = actions
        self.labels = labels
    }

    /// Containers labelled `mlflow_serve=true` that start, die, run out of memory or are removed.
    public static let servingContainers = DockerEventFilter(
        types: ["container"], actions: ["start", "die", "oom", "destroy"], labels: ServingLabels.selector)

    var queryValue: [String: [String]] {
        var filters: [String: [String]] = [:]
        if !types.isEmpty { filters["type"] = types }
        if !actions.isEmpty { filters["event"] = actions }
        if !labels.isEmpty { filters["label"] = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } }
        return filters
    }
}

extension DockerEngineClient {
    /// `GET /events`: events as they happen, filtered by `filter`. The stream never ends on its own
    /// while the Engine runs; it finishes when the Engine closes the connection (daemon stopped) and
    /// throws when the connection fails. Cancel the consuming task to stop listening. Reconnecting is
    /// the caller's job.
    ///
    /// - Parameter since: also send the events the Engine still holds from this moment on. Without
    ///   it the stream starts when the Engine subscribes, which it does just *after* answering, so an
    ///   event in that instant would be lost; a `since` just before the call closes that gap.
    public func events(
        _ filter: DockerEventFilter = DockerEventFilter(), since: Date? = nil
    ) async throws(DockerError) -> AsyncThrowingStream<DockerEvent, any Error> {
        var query: Query = []
        let filters = filter.queryValue
        if !filters.isEmpty { query.append(("filters", Self.json(filters))) }
        if let since { query.append(("since", Self.timestamp(since))) }
        let response = try await openStream(.get, "/events", query: query, operation: "events")
        return AsyncThrowingStream { continuation in
            let task = Task {
                var splitter = JSONLineSplitter()
                let decoder = JSONDecoder()
                do {
                    for try await chunk in response.body {
                        for line in splitter.feed(chunk) {
                            guard let event = try? decoder.decode(DockerEvent.self, from: Data(line)) else { continue }
                            continuation.yield(event)
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: self.mapTransportError(error, operation: "events"))
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// A Unix time as the Engine's `since`/`until` take it, to the microsecond (what a `Date` holds
    /// exactly): `1700000000.250000000`.
    static func timestamp(_ date: Date) -> String {
        let microseconds = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let fraction = String(microseconds % 1_000_000)
        return "\(microseconds / 1_000_000)." + String(repeating: "0", count: 6 - fraction.count) + fraction + "000"
    }
}
