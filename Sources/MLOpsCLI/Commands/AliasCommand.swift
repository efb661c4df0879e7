import ArgumentParser
import MLOpsKit

/// `mlops alias …`: read and move registered model aliases, with the original toolkit's flag names.
struct AliasCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alias",
        abstract: "Read, set, promote and roll back registered model aliases.",
        discussion: """
            Every move of an alias made here (set, delete, promote, rollback) records the version the alias \
            left in the registered model tag mlops.alias.<alias>.previous, so 'alias rollback' undoes the \
            last one, from any machine.
            """,
        subcommands: [SetAlias.self, Get.self, Delete.self, Status.self, Promote.self, Rollback.self]
    )
}

extension AliasManager.Move {
    /// `--json` output of `alias set` and `alias delete`: snake_case, with nulls rather than left-out keys.
    struct Output: Encodable {
        var move: AliasManager.Move

        enum CodingKeys: String, CodingKey {
            case model, alias, version, changed
            case previousVersion = "previous_version"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(move.model, forKey: .model)
            try container.encode(move.alias, forKey: .alias)
            try container.encode(move.version, forKey: .version)
            try container.encode(move.previousVersion, forKey: .previousVersion)
            try container.encode(move.changed, forKey: .changed)
        }
    }
}

extension AliasCommand {
    // MARK: set

    /// `mlops alias set --model-name M --version V --alias A`.
    struct SetAlias: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Point an alias at a model version.",
            discussion:
                "Prints what the alias pointed at before. Exit status 3 when the model or the version does not exist."
        )

        @OptionGroup var model: ModelNameOption

        @Option(name: .customLong("version"), help: ArgumentHelp("The model version, such as 3.", valueName: "version"))
        var version: String

        @Option(help: ArgumentHelp("The alias (default: MLFLOW_MODEL_ALIAS).", valueName: "alias"))
        var alias: String?

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let version = try ArgumentParsing.version(version)
            let (configuration, client) = try options.makeMLflowClient()
            let name = model.resolve(configuration)
            let alias = alias ?? configuration.modelAlias
            let move = try await AliasManager(registry: client, tracking: client)
                .setAlias(model: name, alias: alias, version: version)
            if options.json { return try JSONOutput.print(AliasManager.Move.Output(move: move)) }
            let was = move.previousVersion.map { "was version \($0)" } ?? "was unset"
            StandardOutput.write(
                move.changed
                    ? "model '\(name)': alias '\(alias)' now points at version \(version) (\(was))\n"
                    : "model '\(name)': alias '\(alias)' already points at version \(version)\n")
        }
    }

    // MARK: get

    /// `mlops alias get --model-name M --alias A`.
    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the model version an alias points at.",
            discussion: """
                Shows the version, its run, source, status and stage. With --json the output is the MLflow \
                model version object (version, run_id, source, status, current_stage, aliases…).
                Exit status 3 when the model does not exist or has no such alias.
                """
        )

        @OptionGroup var model: ModelNameOption

        @Option(help: ArgumentHelp("The alias (default: MLFLOW_MODEL_ALIAS).", valueName: "alias"))
        var alias: String?

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let (configuration, client) = try options.makeMLflowClient()
            let name = model.resolve(configuration)
            let alias = alias ?? configuration.modelAlias
            let version = try await client.getModelVersion(name: name, alias: alias)
            if options.json { return try JSONOutput.print(version) }
            var details = DetailRenderer()
            details.append("Model", name)
            details.append("Alias", alias)
            details.append("Version", version.version)
            details.append("Run ID", version.runID)
            details.append("Source", version.source)
            details.append("Status", version.status.rawValue)
            details.append("Stage", version.currentStage)
            details.append("Aliases", version.aliases.sorted().joined(separator: ", "))
            details.append("Created", Formatting.timestamp(version.creationTimestamp))
            details.append("Description", version.description)
            StandardOutput.write(details.render())
        }
    }

    // MARK: delete

    /// `mlops alias delete --model-name M --alias A`.
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove an alias from a model.",
            discussion: """
                Removing an alias the model does not have succeeds and says so. The version the alias \
                pointed at is recorded, so 'alias rollback' puts it back.
                """
        )

        @OptionGroup var model: ModelNameOption

        @Option(help: ArgumentHelp("The alias to remove.", valueName: "alias"))
        var alias: String

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let (configuration, client) = try options.makeMLflowClient()
            let name = model.resolve(configuration)
            let move = try await AliasManager(registry: client, tracking: client).removeAlias(model: name, alias: alias)
            if options.json { return try JSONOutput.print(AliasManager.Move.Output(move: move)) }
            StandardOutput.write(
                move.previousVersion.map { "model '\(name)': alias '\(alias)' removed (was version \($0))\n" }
                    ?? "model '\(name)' has no alias '\(alias)'; nothing to remove\n")
        }
    }

    // MARK: status

    /// `mlops alias status --model-name M [--aliases a,b,c]`: the original toolkit's JSON.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what each alias of a model points at, as the original toolkit's JSON.",
            discussion: """
                Prints {"<alias>": {"version": "1", "run_id": "...", "stage": "None"}} for each alias, or \
                {"<alias>": {"error": "..."}} for an alias that cannot be read, as the original toolkit \
                does, and exits with status 0 in both cases. --table prints a table instead.
                """
        )

        @OptionGroup var model: ModelNameOption

        @Option(
            help: ArgumentHelp(
                "Comma-separated aliases to report (default: \(AliasManager.defaultStatusAliases.joined(separator: ","))).",
                valueName: "aliases"))
        var aliases: String?

        @Flag(help: "Print a table instead of JSON.")
        var table = false

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let aliases =
                try aliases.map { try ArgumentParsing.list($0, flag: "--aliases") }
                ?? AliasManager.defaultStatusAliases
            let (configuration, client) = try options.makeMLflowClient()
            let name = model.resolve(configuration)
            let manager = AliasManager(registry: client, tracking: client)
            let statuses = await manager.status(model: name, aliases: aliases)
            guard table && !options.json else { return try JSONOutput.print(statuses) }
            var rows = TableRenderer(headers: ["ALIAS", "VERSION", "RUN_ID", "STAGE", "ERROR"])
            for alias in aliases {
                switch statuses[alias] {
                case .assigned(let version, let runID, let stage):
                    rows.append([alias, version, runID ?? "", stage ?? "", ""])
                case .failed(let message):
                    rows.append([alias, "", "", "", message])
                case nil:
                    break
                }
            }
            StandardOutput.write(rows.render())
        }
    }
}
