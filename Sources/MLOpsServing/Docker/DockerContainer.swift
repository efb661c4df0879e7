import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A container as `GET /containers/{id}/json` describes it (the parts MLOpsKit reads).
///
/// Its ``environment`` may hold credentials; ``description`` leaves it out.
public struct DockerContainer: Sendable, Hashable, Decodable, CustomStringConvertible {
    public var id: String
    /// The name without the leading `/`.
    public var name: String
    public var image: String
    public var command: [String]
    public var environment: [String]
    public var labels: [String: String]
    public var tty: Bool
    public var state: DockerContainerState
    public var restartCount: Int
    public var networkMode: String?
    public var restartPolicy: String?
    /// The networks the container is attached to and its aliases on each.
    public var networkAliases: [String: [String]]

    public init(from decoder: any Decoder) throws {
        struct Config: Decodable {
            var Image: String?
            var Cmd: [String]?
            var Env: [String]?
            var Labels: [String: String]?
            var Tty: Bool?
        }
        struct RestartPolicy: Decodable { var Name: String? }
        struct HostConfig: Decodable {
            var NetworkMode: String?
            var RestartPolicy: RestartPolicy?
        }
        struct Network: Decodable { var Aliases: [String]? }
        struct NetworkSettings: Decodable { var Networks: [String: Network]? }
        struct Raw: Decodable {
            var Id: String
            var Name: String
            var Image: String?
            var Config: Config?
            var State: DockerContainerState
            var RestartCount: Int?
            var HostConfig: HostConfig?
            var NetworkSettings: NetworkSettings?
        }
        let raw = try Raw(from: decoder)
        id = raw.Id
        name = raw.Name.hasPrefix("/") ? String(raw.Name.dropFirst()) : raw.Name
        image = raw.Config?.Image ?? raw.Image ?? ""
        command = raw.Config?.Cmd ?? []
        environment = raw.Config?.Env ?? []
        labels = raw.Config?.Labels ?? [:]
        tty = raw.Config?.Tty ?? false
        state = raw.State
        restartCount = raw.RestartCount ?? 0
        networkMode = raw.HostConfig?.NetworkMode
        restartPolicy = raw.HostConfig?.RestartPolicy?.Name
        networkAliases = (raw.NetworkSettings?.Networks ?? [:]).mapValues { $0.Aliases ?? [] }
    }

    public var description: String {
        "container \(name) (\(id.prefix(12))) image \(image), \(state.status)"
    }
}

/// The `State` of an inspected container.
public struct DockerContainerState: Sendable, Hashable, Decodable {
    /// `created`, `running`, `paused`, `restarting`, `removing`, `exited` or `dead`.
    public var status: String
    public var running: Bool
    public var oomKilled: Bool
    public var pid: Int32
    public var exitCode: Int32
    /// The Engine's error text, such as why the command could not start.
    public var error: String
    /// When it last started; `nil` when it never did.
    public var startedAt: Date?
    public var finishedAt: Date?

    enum CodingKeys: String, CodingKey {
        case status = "Status", running = "Running", oomKilled = "OOMKilled", pid = "Pid", exitCode = "ExitCode"
        case error = "Error", startedAt = "StartedAt", finishedAt = "FinishedAt"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        status = try container.decodeIfPresent(String.self, forKey: .status) ?? ""
        running = try container.decodeIfPresent(Bool.self, forKey: .running) ?? false
        oomKilled = try container.decodeIfPresent(Bool.self, forKey: .oomKilled) ?? false
        pid = try container.decodeIfPresent(Int32.self, forKey: .pid) ?? 0
        exitCode = try container.decodeIfPresent(Int32.self, forKey: .exitCode) ?? 0
        error = try container.decodeIfPresent(String.self, forKey: .error) ?? ""
        startedAt = DockerTimestamp.parse(try container.decodeIfPresent(String.self, forKey: .startedAt))
        finishedAt = DockerTimestamp.parse(try container.decodeIfPresent(String.self, forKey: .finishedAt))
    }
}

/// A row of `GET /containers/json`.
public struct DockerContainerSummary: Sendable, Hashable, Decodable {
    public var id: String
    /// The first name without the leading `/`.
    public var name: String
    public var image: String
    public var labels: [String: String]
    /// `created`, `running`, `exited`, …
    public var state: String
    /// For people: `Up 2 minutes`, `Exited (137) 3 seconds ago`.
    public var status: String

    enum CodingKeys: String, CodingKey {
        case id = "Id", names = "Names", image = "Image", labels = "Labels", state = "State", status = "Status"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        let names = try container.decodeIfPresent([String].self, forKey: .names) ?? []
        let first = names.first ?? ""
        name = first.hasPrefix("/") ? String(first.dropFirst()) : first
        image = try container.decodeIfPresent(String.self, forKey: .image) ?? ""
        labels = try container.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
        state = try container.decodeIfPresent(String.self, forKey: .state) ?? ""
        status = try container.decodeIfPresent(String.self, forKey: .status) ?? ""
    }
}

/// The Engine's timestamps: RFC 3339 with up to nine fractional digits, `0001-01-01T00:00:00Z` for
/// "never".
enum DockerTimestamp {
    static func parse(_ text: String?) -> Date? {
        guard let text, !text.isEmpty, !text.hasPrefix("0001-01-01") else { return nil }
        // Split off the fraction, which the ISO 8601 parser accepts only up to milliseconds.
        var whole = text
        var fraction = 0.0
        if let dot = text.firstIndex(of: ".") {
            let afterDot = text[text.index(after: dot)...]
            let digits = afterDot.prefix { $0.isASCII && $0.isNumber }
            fraction = Double("0." + digits) ?? 0
            whole = String(text[..<dot]) + String(afterDot.dropFirst(digits.count))
        }
        guard let date = try? Date(whole, strategy: .iso8601) else { return nil }
        return date.addingTimeInterval(fraction)
    }
}
