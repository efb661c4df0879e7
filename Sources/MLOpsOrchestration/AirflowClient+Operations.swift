import MLOpsCore
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension AirflowClient {
    public func listDAGs(dagIDPattern: String? = nil) -> PagedSequence<DAG> {
        PagedSequence { token in
            let offset = token.flatMap(Int.init) ?? 0
            var query = [("limit", "100"), ("offset", String(offset)), ("order_by", "dag_id")]
            if let dagIDPattern { query.append(("dag_id_pattern", dagIDPattern)) }
            let page = try decode(DAGPage.self, from: try await send(.get, "/dags", query: query))
            let next = offset + page.dags.count
            return Page(
                items: page.dags.map(\.dag),
                nextPageToken: page.dags.isEmpty || next >= (page.totalEntries ?? next) ? nil : String(next))
        }
    }

    public func dag(_ dagID: String) async throws -> DAG {
        try decode(WireDAG.self, from: try await send(.get, "/dags/\(Self.segment(dagID))", dagID: dagID)).dag
    }

    @discardableResult
    public func setPaused(_ dagID: String, _ isPaused: Bool) async throws -> DAG {
        let body = try await send(
            .patch, "/dags/\(Self.segment(dagID))", query: [("update_mask", "is_paused")], json: ["is_paused": isPaused],
            dagID: dagID)
        return try decode(WireDAG.self, from: body).dag
    }

    public func trigger(
        _ dagID: String, conf: [String: JSONValue] = [:], runID: String? = nil, logicalDate: Date? = nil
    ) async throws -> DAGRun {
        let version = try await apiVersion()
        let body = TriggerBody(
            conf: conf, runID: runID, logicalDate: logicalDate.map(Self.timestamp),
            // Airflow 3 requires logical_date, null for "now"; Airflow 2 refuses a null.
            sendsNullLogicalDate: version == .v2)
        let response = try await send(.post, "/dags/\(Self.segment(dagID))/dagRuns", json: body, dagID: dagID)
        return try decode(DAGRun.self, from: response)
    }

    public func dagRun(_ dagID: String, runID: String) async throws -> DAGRun {
        try decode(DAGRun.self, from: try await send(.get, "/dags/\(Self.segment(dagID))/dagRuns/\(Self.segment(runID))", dagID: dagID))
    }

    public func dagRuns(_ dagID: String, limit: Int = 25) async throws -> [DAGRun] {
        let order = try await apiVersion() == .v2 ? "-run_after" : "-execution_date"
        let body = try await send(
            .get, "/dags/\(Self.segment(dagID))/dagRuns", query: [("limit", String(max(1, limit))), ("order_by", order)],
            dagID: dagID)
        return try decode(DAGRunPage.self, from: body).dagRuns
    }

    public func taskInstances(_ dagID: String, runID: String) async throws -> [TaskInstance] {
        let body = try await send(
            .get, "/dags/\(Self.segment(dagID))/dagRuns/\(Self.segment(runID))/taskInstances", query: [("limit", "1000")],
            dagID: dagID)
        return try decode(TaskInstancePage.self, from: body).taskInstances
    }

    public func taskLog(_ dagID: String, runID: String, taskID: String, tryNumber: Int) async throws -> [String] {
        let path =
            "/dags/\(Self.segment(dagID))/dagRuns/\(Self.segment(runID))/taskInstances/\(Self.segment(taskID))/logs/\(tryNumber)"
        if try await apiVersion() == .v1 {
            // Airflow 2's JSON log is a Python repr; its plain text is the log itself.
            let text = try await send(.get, path, query: [("full_content", "true")], accept: "text/plain", dagID: dagID)
            return String(decoding: text, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
        var lines: [String] = []
        var token: String?
        repeat {
            var query = [("full_content", "true")]
            if let token { query.append(("token", token)) }
            let page = try decode(LogPage.self, from: try await send(.get, path, query: query, dagID: dagID))
            lines += page.lines
            token = page.continuationToken.flatMap { $0 == token || page.lines.isEmpty ? nil : $0 }
        } while token != nil
        return lines
    }

    // MARK: Wire formats

    func decode<Value: Decodable>(_ type: Value.Type, from body: Data) throws -> Value {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = S3Timestamp.date(from: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a timestamp: \(text)"))
            }
            return date
        }
        do {
            return try decoder.decode(type, from: body)
        } catch {
            throw AirflowError(
                code: .unexpectedResponse, status: 200,
                message: "could not read Airflow's \(Value.self) JSON: \(error)".prefix(300).description)
        }
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    struct DAGPage: Decodable {
        var dags: [WireDAG]
        var totalEntries: Int?
        enum CodingKeys: String, CodingKey {
            case dags
            case totalEntries = "total_entries"
        }
    }

    struct WireDAG: Decodable {
        struct Tag: Decodable { var name: String }
        var dagID: String
        var isPaused: Bool?
        var description: String?
        var tags: [Tag]?
        var hasImportErrors: Bool?

        var dag: DAG {
            DAG(
                dagID: dagID, isPaused: isPaused ?? false, description: description, tags: (tags ?? []).map(\.name),
                hasImportErrors: hasImportErrors ?? false)
        }

        enum CodingKeys: String, CodingKey {
            case dagID = "dag_id"
            case isPaused = "is_paused"
            case description, tags
            case hasImportErrors = "has_import_errors"
        }
    }

    struct DAGRunPage: Decodable {
        var dagRuns: [DAGRun]
        enum CodingKeys: String, CodingKey { case dagRuns = "dag_runs" }
    }

    struct TaskInstancePage: Decodable {
        var taskInstances: [TaskInstance]
        enum CodingKeys: String, CodingKey { case taskInstances = "task_instances" }
    }

    /// Airflow 3's structured log: `{"content": [{"event": …, "timestamp": …, "level": …}], "continuation_token": …}`.
    struct LogPage: Decodable {
        struct Entry: Decodable {
            struct ErrorDetail: Decodable {
                var excType: String?
                var excValue: String?
                enum CodingKeys: String, CodingKey {
                    case excType = "exc_type"
                    case excValue = "exc_value"
                }
            }
            var event: String?
            var timestamp: String?
            var level: String?
            var errorDetail: [ErrorDetail]?

            enum CodingKeys: String, CodingKey {
                case event, timestamp, level
                case errorDetail = "error_detail"
            }
        }
        var content: [Entry]
        var continuationToken: String?

        /// One line per entry: `[timestamp LEVEL] event`, then each exception as `  Type: message`.
        var lines: [String] {
            content.flatMap { entry -> [String] in
                guard let event = entry.event else { return [] }
                let prefix = [entry.timestamp, entry.level.map { $0.uppercased() }].compactMap { $0 }.joined(separator: " ")
                let exceptions = (entry.errorDetail ?? []).map { detail in
                    "  " + [detail.excType, detail.excValue].compactMap { $0 }.joined(separator: ": ")
                }
                return [prefix.isEmpty ? event : "[\(prefix)] \(event)"] + exceptions
            }
        }

        enum CodingKeys: String, CodingKey {
            case content
            case continuationToken = "continuation_token"
        }
    }

    struct TriggerBody: Encodable, Sendable {
        var conf: [String: JSONValue]
        var runID: String?
        var logicalDate: String?
        var sendsNullLogicalDate: Bool

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(conf, forKey: .conf)
            try container.encodeIfPresent(runID, forKey: .runID)
            if let logicalDate {
                try container.encode(logicalDate, forKey: .logicalDate)
            } else if sendsNullLogicalDate {
                try container.encodeNil(forKey: .logicalDate)
            }
        }

        enum CodingKeys: String, CodingKey {
            case conf
            case runID = "dag_run_id"
            case logicalDate = "logical_date"
        }
    }
}
