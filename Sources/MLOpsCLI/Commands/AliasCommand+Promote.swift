import ArgumentParser
import MLOpsKit

extension AliasCommand {
    // MARK: promote

    /// `mlops alias promote`: move an alias to the candidate version whose run has the best metric.
    struct Promote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move an alias to the candidate version whose run has the best metric.",
            discussion: """
                Candidates: 'all' (every READY version), 'alias:NAME' (the version behind another alias, \
                such as alias:Test) or 'latest:N' (the N highest version numbers). Candidates whose run lacks \
                the metric are skipped; ties go to the higher version. If no candidate has the metric, \
                nothing changes and the exit status is 6.

                Prints each candidate with its metric value, the chosen version and the previous one. With \
                --dry-run nothing changes.
                """
        )

        @OptionGroup var model: ModelNameOption

        @Option(help: ArgumentHelp("The alias to move (default: MLFLOW_MODEL_ALIAS).", valueName: "alias"))
        var alias: String?

        @Option(help: ArgumentHelp("The run metric that decides, such as accuracy.", valueName: "metric"))
        var metric: String

        @Option(help: "Whether a higher (max) or lower (min) value is better.")
        var order: MetricGoal = .max

        @Option(help: ArgumentHelp("Which versions compete: all, alias:NAME or latest:N.", valueName: "candidates"))
        var candidates: String = "all"

        @Flag(name: .customLong("dry-run"), help: "Show what would happen without moving the alias.")
        var dryRun = false

        @OptionGroup var options: GlobalOptions

        /// The JSON shape of a promotion.
        struct Output: Encodable, Equatable {
            struct Candidate: Encodable, Equatable {
                var version: String
                var runID: String?
                /// The run's latest value of the metric; `null` when the run lacks it.
                var value: Double?

                enum CodingKeys: String, CodingKey {
                    case version, value
                    case runID = "run_id"
                }

                func encode(to encoder: any Encoder) throws {
                    var container = encoder.container(keyedBy: CodingKeys.self)
                    try container.encode(version, forKey: .version)
                    try container.encode(runID, forKey: .runID)
                    try container.encode(value, forKey: .value)
                }
            }

            var model: String
            var alias: String
            var metric: String
            var order: MetricGoal
            var candidates: [Candidate]
            var version: String
            var value: Double
            var previousVersion: String?
            var changed: Bool
            var dryRun: Bool

            init(_ promotion: AliasManager.Promotion) {
                model = promotion.model
                alias = promotion.alias
                metric = promotion.metric
                order = promotion.goal
                candidates = promotion.candidates.map {
                    Candidate(version: $0.version, runID: $0.runID, value: $0.value)
                }
                version = promotion.version
                value = promotion.value
                previousVersion = promotion.previousVersion
                changed = promotion.changed
                dryRun = promotion.dryRun
            }

            enum CodingKeys: String, CodingKey {
                case model, alias, metric, order, candidates, version, value, changed
                case previousVersion = "previous_version"
                case dryRun = "dry_run"
            }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(model, forKey: .model)
                try container.encode(alias, forKey: .alias)
                try container.encode(metric, forKey: .metric)
                try container.encode(order, forKey: .order)
                try container.encode(candidates, forKey: .candidates)
                try container.encode(version, forKey: .version)
                try container.encode(value, forKey: .value)
                try container.encode(previousVersion, forKey: .previousVersion)
                try container.encode(changed, forKey: .changed)
                try container.encode(dryRun, forKey: .dryRun)
            }
        }

        func run() async throws {
            let selection = try ArgumentParsing.candidates(candidates)
            let (configuration, client) = try options.makeMLflowClient()
            let name = model.resolve(configuration)
            let alias = alias ?? configuration.modelAlias
            let manager = AliasManager(registry: client, tracking: client)
            let promotion = try await manager.promote(
                model: name, alias: alias, metric: metric, goal: order, candidates: selection, dryRun: dryRun)
            if options.json { return try JSONOutput.print(Output(promotion)) }

            var table = TableRenderer(headers: ["VERSION", "RUN_ID", metric.uppercased(), "CHOSEN"])
            for candidate in promotion.candidates {
                table.append([
                    candidate.version, candidate.runID ?? "",
                    candidate.value.map { Formatting.number($0) } ?? "(missing)",
                    candidate.version == promotion.version ? "*" : "",
                ])
            }
            StandardOutput.write(table.render())
            let before = promotion.previousVersion.map { "version \($0)" } ?? "unset"
            let best = "\(metric) \(Formatting.number(promotion.value)), \(order.rawValue)"
            let summary =
                if promotion.previousVersion == promotion.version {
                    "alias '\(alias)' already points at the best version \(promotion.version) (\(best))"
                } else if promotion.dryRun {
                    "dry run: alias '\(alias)' would move from \(before) to version \(promotion.version) (\(best))"
                } else {
                    "alias '\(alias)' moved from \(before) to version \(promotion.version) (\(best))"
                }
            StandardOutput.write("\nmodel '\(name)': \(summary)\n")
        }
    }

    // MARK: rollback

    /// `mlops alias rollback`: point an alias back at the version it left last.
    struct Rollback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Point an alias back at the version it pointed at before its last move.",
            discussion: """
                Uses the version recorded by the last set, delete, promote or rollback, and records the \
                version it leaves, so a second rollback undoes the first. Exit status 6 when nothing is \
                recorded.
                """
        )

        @OptionGroup var model: ModelNameOption

        @Option(help: ArgumentHelp("The alias (default: MLFLOW_MODEL_ALIAS).", valueName: "alias"))
        var alias: String?

        @OptionGroup var options: GlobalOptions

        /// The JSON shape of a rollback.
        struct Output: Encodable, Equatable {
            var model: String
            var alias: String
            var fromVersion: String?
            var toVersion: String

            enum CodingKeys: String, CodingKey {
                case model, alias
                case fromVersion = "from_version"
                case toVersion = "to_version"
            }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(model, forKey: .model)
                try container.encode(alias, forKey: .alias)
                try container.encode(fromVersion, forKey: .fromVersion)
                try container.encode(toVersion, forKey: .toVersion)
            }
        }

        func run() async throws {
            let (configuration, client) = try options.makeMLflowClient()
            let name = model.resolve(configuration)
            let alias = alias ?? configuration.modelAlias
            let manager = AliasManager(registry: client, tracking: client)
            let rollback = try await manager.rollback(model: name, alias: alias)
            let output = Output(
                model: name, alias: alias, fromVersion: rollback.fromVersion, toVersion: rollback.toVersion)
            if options.json { return try JSONOutput.print(output) }
            let from = rollback.fromVersion.map { "version \($0)" } ?? "unset"
            StandardOutput.write(
                "model '\(name)': alias '\(alias)' rolled back from \(from) to version \(rollback.toVersion)\n")
        }
    }
}
