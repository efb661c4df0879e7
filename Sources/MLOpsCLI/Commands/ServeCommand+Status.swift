import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MLOpsKit

extension ServeCommand {
    /// `mlops serve status`: the agent's `/status`, or the same worked out from the registry and the
    /// serving runtime when no agent answers.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show every served model alias: desired and served version, state, endpoint.",
            discussion: """
                Shows the autoserve agent's GET /status. When no agent answers, the status is computed \
                without it, and says so: one read of the registry (the aliases in MLFLOW_SERVE_ALIASES, \
                models limited by MLFLOW_SERVE_MODEL_FILTER) and of the serving runtime's instances; a \
                key is Ready when a running instance serves the version its alias points at (the \
                process runs; it is not probed).

                Exit statuses: 0 when every key is Ready, 1 when one is not, 4 when no agent answers \
                and MLflow (or the serving runtime) is unreachable.

                With --json: the agent's status document {"runtime", "aliases", "last_sync", \
                "last_sync_error", "keys": [{"model", "alias", "desired_version", "serving_version", \
                "endpoint", "instance_id", "instance_name", "state", "reason", "message", "since", \
                "conditions", "restarts"}]} with "source": "agent" or "computed".
                """
        )

        @OptionGroup var agentOptions: ServeAgentOptions
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let context = try ServeContext(options: options, agentOptions: agentOptions)
            let (document, source, agentProblem) = try await Self.document(context)
            if options.json {
                try JSONOutput.print(Output(document: document, source: source))
            } else {
                if source == .computed {
                    StandardOutput.write("(computed without the agent\(agentProblem.map { ": \($0)" } ?? ""))\n")
                }
                StandardOutput.write(Self.table(document))
            }
            let notReady = document.keys.filter { $0.state != .ready }
            if !notReady.isEmpty {
                throw CLIError(
                    .failure,
                    "\(notReady.count) of \(document.keys.count) served key\(document.keys.count == 1 ? " is" : "s are") not Ready: "
                        + notReady.prefix(5).map { "\($0.key) \($0.state)" }.joined(separator: ", "))
            }
        }

        /// Where a document came from.
        enum Source: String, Encodable {
            case agent, computed
        }

        /// The agent's document, or one computed from the registry and the runtime when no agent answers.
        static func document(_ context: ServeContext) async throws -> (AutoserveStatusDocument, Source, String?) {
            var agentProblem: String?
            if let agent = context.agent {
                do {
                    return (try await agent.status(), .agent, nil)
                } catch {
                    agentProblem = error.description
                }
            }
            do {
                let registry = context.configuration.makeMLflowClient(logger: context.logger)
                let settings = try AutoserveAgentSettings(
                    resolved: context.configuration.resolved, exporterPort: context.configuration.exporterPort)
                let snapshot = try await RegistrySnapshotReader(registry: registry, filter: settings.modelFilter).read()
                let runtime = try await context.openRuntime()
                let instances = try await runtime.instances(matching: ServingLabels.selector)
                let document = AutoserveStatusDocument.computed(
                    snapshot: snapshot, aliases: context.configuration.serveAliases, instances: instances, runtime: runtime.name,
                    now: Date())
                return (document, .computed, agentProblem)
            } catch {
                // The error says what failed without the agent; say first why the agent was not asked.
                if let agentProblem { StandardError.write("No agent: \(agentProblem)") }
                throw error
            }
        }

        /// `--json`: the status document with its source.
        struct Output: Encodable {
            var document: AutoserveStatusDocument
            var source: Source

            enum CodingKeys: String, CodingKey {
                case source
            }

            func encode(to encoder: any Encoder) throws {
                try document.encode(to: encoder)
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(source, forKey: .source)
            }
        }

        /// One row per key.
        static func table(_ document: AutoserveStatusDocument, now: Date = Date()) -> String {
            // With the agent's gateway on, each key's stable route and its traffic over the last minute.
            let gateway = document.keys.contains { $0.gatewayURL != nil }
            var headers = ["MODEL", "ALIAS", "DESIRED", "SERVING", "STATE", "ENDPOINT"]
            if gateway { headers += ["GATEWAY", "REQ/S", "5XX"] }
            headers += ["SINCE", "REASON"]
            var table = TableRenderer(headers: headers)
            for key in document.keys {
                let reason = [key.reason, key.message].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
                var row = [
                    key.model, key.alias, key.desiredVersion ?? "-", key.servingVersion ?? "-", key.state.rawValue,
                    key.endpoint ?? "-",
                ]
                if gateway {
                    row += [
                        key.gatewayURL ?? "-", key.requestsPerSecond.map { rate($0) } ?? "-",
                        key.errorRatio.map { percent($0) } ?? "-",
                    ]
                }
                row += [since(key.since, now: now), reason.isEmpty ? "-" : Formatting.excerpt(reason, limit: 160)]
                table.append(row)
            }
            var text = document.keys.isEmpty ? "nothing is served (aliases: \(document.aliases.joined(separator: ", ")))\n" : table.render()
            if let error = document.lastSyncError {
                text += "last sync failed: \(error)\n"
            }
            return text
        }

        /// `12.3` requests a second (`0` without traffic).
        static func rate(_ value: Double) -> String {
            guard value > 0 else { return "0" }
            let scale = value < 10 ? 100.0 : 10.0
            return "\((value * scale).rounded() / scale)"
        }

        /// `1.5%`.
        static func percent(_ ratio: Double) -> String {
            ratio > 0 ? "\((ratio * 1000).rounded() / 10)%" : "0%"
        }

        /// `2025-01-02T03:04:05Z (5m ago)`.
        static func since(_ date: Date, now: Date) -> String {
            let seconds = Int64(max(0, now.timeIntervalSince(date)))
            let ago: String =
                switch seconds {
                case ..<60: "\(seconds)s"
                case ..<3600: "\(seconds / 60)m"
                case ..<86_400: "\(seconds / 3600)h"
                default: "\(seconds / 86_400)d"
                }
            return "\(Formatting.timestamp(Int64(date.timeIntervalSince1970 * 1000))) (\(ago) ago)"
        }
    }
}
