import ArgumentParser
import MLOpsKit

/// `mlops models …`: registered models and their versions.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List registered models, show one, list its versions.",
        subcommands: [List.self, Show.self, Versions.self, Create.self, Register.self]
    )

    /// A model's aliases as `alias=version`, sorted by alias.
    static func aliasSummary(_ aliases: [RegisteredModelAlias]) -> String {
        aliases.sorted { $0.alias < $1.alias }.map { "\($0.alias)=\($0.version)" }.joined(separator: ", ")
    }

    /// The highest version number among a model's latest versions.
    static func latestVersion(_ model: RegisteredModel) -> String {
        model.latestVersions.map(\.version).max { (Int($0) ?? 0) < (Int($1) ?? 0) } ?? ""
    }
}

extension ModelsCommand {
    /// `mlops models list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List registered models with their aliases and latest version.",
            discussion: "With --json: {\"registered_models\": [<MLflow registered model>...]}."
        )

        @Option(help: ArgumentHelp("An MLflow search filter, such as \"name LIKE 'iris%'\".", valueName: "filter"))
        var filter: String?

        @Option(help: ArgumentHelp("List at most this many (default: all).", valueName: "n"))
        var max: Int?

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            if let max, max < 1 { throw ValidationError("--max must be at least 1.") }
        }

        func run() async throws {
            let (_, client) = try options.makeMLflowClient()
            var models: [RegisteredModel] = []
            let pageSize = Swift.min(
                max ?? MLflowLimits.maxRegisteredModelResults, MLflowLimits.maxRegisteredModelResults)
            for try await model in client.allRegisteredModels(filter: filter, pageSize: pageSize) {
                models.append(model)
                if let max, models.count >= max { break }
            }
            if options.json { return try JSONOutput.print(["registered_models": models]) }
            var table = TableRenderer(headers: ["NAME", "LATEST", "UPDATED", "ALIASES"])
            for model in models {
                table.append([
                    model.name, ModelsCommand.latestVersion(model),
                    Formatting.timestamp(model.lastUpdatedTimestamp ?? model.creationTimestamp),
                    ModelsCommand.aliasSummary(model.aliases),
                ])
            }
            StandardOutput.write(table.render())
        }
    }

    /// `mlops models show NAME`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a registered model: description, tags, aliases and latest versions.",
            discussion: "With --json: the MLflow registered model object."
        )

        @Argument(help: ArgumentHelp("The registered model's name.", valueName: "name"))
        var name: String

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let (_, client) = try options.makeMLflowClient()
            let model = try await client.getRegisteredModel(name: name)
            if options.json { return try JSONOutput.print(model) }
            var details = DetailRenderer()
            details.append("Name", model.name)
            details.append("Description", model.description)
            details.append("Created", Formatting.timestamp(model.creationTimestamp))
            details.append("Updated", Formatting.timestamp(model.lastUpdatedTimestamp))
            StandardOutput.write(details.render())
            if !model.aliases.isEmpty {
                var aliases = TableRenderer(headers: ["ALIAS", "VERSION"])
                for alias in model.aliases.sorted(by: { $0.alias < $1.alias }) {
                    aliases.append([alias.alias, alias.version])
                }
                StandardOutput.section("Aliases")
                StandardOutput.write(aliases.render())
            }
            if !model.tags.isEmpty {
                var tags = TableRenderer(headers: ["TAG", "VALUE"])
                for tag in model.tags.sorted(by: { $0.key < $1.key }) {
                    tags.append([tag.key, Formatting.excerpt(tag.value)])
                }
                StandardOutput.section("Tags")
                StandardOutput.write(tags.render())
            }
            if !model.latestVersions.isEmpty {
                var versions = TableRenderer(headers: ["VERSION", "STAGE", "STATUS", "RUN_ID", "SOURCE"])
                for version in model.latestVersions.sorted(by: { (Int($0.version) ?? 0) > (Int($1.version) ?? 0) }) {
                    versions.append([
                        version.version, version.currentStage ?? "", version.status.rawValue, version.runID ?? "",
                        version.source ?? "",
                    ])
                }
                StandardOutput.section("Latest versions")
                StandardOutput.write(versions.render())
            }
        }
    }

    /// `mlops models versions NAME`.
    struct Versions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every version of a registered model, newest first, with its aliases.",
            discussion: """
                The aliases come from the registered model, since MLflow's version search leaves them out.
                With --json: {"model_versions": [<MLflow model version, aliases included>...]}.
                """
        )

        @Argument(help: ArgumentHelp("The registered model's name.", valueName: "name"))
        var name: String

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let (_, client) = try options.makeMLflowClient()
            let model = try await client.getRegisteredModel(name: name)
            var aliasesByVersion: [String: [String]] = [:]
            for alias in model.aliases { aliasesByVersion[alias.version, default: []].append(alias.alias) }
            var versions: [ModelVersion] = []
            for try await version in client.allModelVersions(filter: SearchFilter.versions(ofModel: name)) {
                var version = version
                version.aliases = (aliasesByVersion[version.version] ?? []).sorted()
                versions.append(version)
            }
            versions.sort { (Int($0.version) ?? 0) > (Int($1.version) ?? 0) }
            if options.json { return try JSONOutput.print(["model_versions": versions]) }
            var table = TableRenderer(headers: ["VERSION", "STATUS", "ALIASES", "RUN_ID", "CREATED", "SOURCE"])
            for version in versions {
                table.append([
                    version.version, version.status.rawValue, version.aliases.joined(separator: ", "),
                    version.runID ?? "", Formatting.timestamp(version.creationTimestamp), version.source ?? "",
                ])
            }
            StandardOutput.write(table.render())
        }
    }
}
