import ArgumentParser
import MLOpsKit

/// `mlops experiments …`: list, inspect, create, delete and restore experiments.
struct ExperimentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiments",
        abstract: "List, show, create, delete and restore experiments.",
        subcommands: [List.self, Show.self, Create.self, Delete.self, Restore.self]
    )

    /// The experiment `nameOrID` names: an all-digit argument is tried as an ID first, then as a name.
    ///
    /// - Throws: ``CLIError`` with exit status 3 when neither finds one.
    static func resolve(_ nameOrID: String, client: MLflowClient) async throws -> Experiment {
        if !nameOrID.isEmpty, nameOrID.allSatisfy(\.isASCIIDigit) {
            do {
                return try await client.getExperiment(id: nameOrID)
            } catch let error as MLflowError where error.isNotFound {
                // Not an ID; it may still be a name made of digits.
            }
        }
        do {
            return try await client.getExperiment(name: nameOrID)
        } catch let error as MLflowError where error.isNotFound {
            throw CLIError.notFound("experiment '\(nameOrID)' not found")
        }
    }

    /// A table of experiments.
    static func table(_ experiments: [Experiment]) -> String {
        var table = TableRenderer(headers: ["ID", "NAME", "STAGE", "UPDATED", "ARTIFACT_LOCATION"])
        for experiment in experiments {
            table.append([
                experiment.experimentID, experiment.name, experiment.lifecycleStage.rawValue,
                Formatting.timestamp(experiment.lastUpdateTime ?? experiment.creationTime),
                experiment.artifactLocation ?? "",
            ])
        }
        return table.render()
    }

    /// What `create`, `delete` and `restore` did, for `--json`.
    struct Change: Encodable, Equatable {
        var experimentID: String
        var name: String
        var lifecycleStage: LifecycleStage

        enum CodingKeys: String, CodingKey {
            case name
            case experimentID = "experiment_id"
            case lifecycleStage = "lifecycle_stage"
        }
    }
}

extension Character {
    /// Whether the character is one of `0`–`9`.
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

extension ExperimentsCommand {
    /// `mlops experiments list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List experiments.",
            discussion: "With --json: {\"experiments\": [<MLflow experiment>...]}."
        )

        @Option(help: ArgumentHelp("An MLflow search filter, such as \"name LIKE 'iris%'\".", valueName: "filter"))
        var filter: String?

        @Option(help: "Which experiments: active, deleted or all.")
        var view: LifecycleView = .active

        @Option(help: ArgumentHelp("List at most this many (default: all).", valueName: "n"))
        var max: Int?

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            if let max, max < 1 { throw ValidationError("--max must be at least 1.") }
        }

        func run() async throws {
            let (_, client) = try options.makeMLflowClient()
            var experiments: [Experiment] = []
            let pageSize = Swift.min(max ?? 1000, 1000)
            for try await experiment in client.allExperiments(
                filter: filter, viewType: view.viewType, pageSize: pageSize)
            {
                experiments.append(experiment)
                if let max, experiments.count >= max { break }
            }
            if options.json { return try JSONOutput.print(["experiments": experiments]) }
            StandardOutput.write(ExperimentsCommand.table(experiments))
        }
    }

    /// `mlops experiments show NAME_OR_ID`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show an experiment and its tags.",
            discussion: "With --json: the MLflow experiment object."
        )

        @Argument(help: ArgumentHelp("The experiment's name or ID.", valueName: "name-or-id"))
        var experiment: String

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let (_, client) = try options.makeMLflowClient()
            let experiment = try await ExperimentsCommand.resolve(experiment, client: client)
            if options.json { return try JSONOutput.print(experiment) }
            var details = DetailRenderer()
            details.append("ID", experiment.experimentID)
            details.append("Name", experiment.name)
            details.append("Stage", experiment.lifecycleStage.rawValue)
            details.append("Artifact location", experiment.artifactLocation)
            details.append("Created", Formatting.timestamp(experiment.creationTime))
            details.append("Updated", Formatting.timestamp(experiment.lastUpdateTime))
            StandardOutput.write(details.render())
            if !experiment.tags.isEmpty {
                var tags = TableRenderer(headers: ["TAG", "VALUE"])
                for tag in experiment.tags.sorted(by: { $0.key < $1.key }) {
                    tags.append([tag.key, Formatting.excerpt(tag.value)])
                }
                StandardOutput.section("Tags")
                StandardOutput.write(tags.render())
            }
        }
    }

    /// `mlops experiments create NAME`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an experiment and print its ID.",
            discussion: "With --json: {\"experiment_id\": \"...\", \"name\": \"...\", \"lifecycle_stage\": \"active\"}."
        )

        @Argument(help: ArgumentHelp("The new experiment's name.", valueName: "name"))
        var name: String

        @Option(
            name: .customLong("artifact-location"),
            help: ArgumentHelp("Where its runs store artifacts (default: the server's).", valueName: "uri"))
        var artifactLocation: String?

        @Option(help: ArgumentHelp("A tag to set, as key=value (repeatable).", valueName: "key=value"))
        var tag: [String] = []

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let tags = try tag.map { argument in
                let (key, value) = try ArgumentParsing.keyValue(argument, flag: "--tag")
                return ExperimentTag(key: key, value: value)
            }
            let (_, client) = try options.makeMLflowClient()
            let id = try await client.createExperiment(name: name, artifactLocation: artifactLocation, tags: tags)
            if options.json {
                return try JSONOutput.print(Change(experimentID: id, name: name, lifecycleStage: .active))
            }
            StandardOutput.write("created experiment '\(name)' with ID \(id)\n")
        }
    }

    /// `mlops experiments delete ID`.
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark an experiment and its runs as deleted (restorable).",
            discussion: "With --json: {\"experiment_id\", \"name\", \"lifecycle_stage\": \"deleted\"}."
        )

        @Argument(help: ArgumentHelp("The experiment's ID (or name).", valueName: "id"))
        var experiment: String

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let (_, client) = try options.makeMLflowClient()
            let experiment = try await ExperimentsCommand.resolve(experiment, client: client)
            try await client.deleteExperiment(id: experiment.experimentID)
            if options.json {
                return try JSONOutput.print(
                    Change(experimentID: experiment.experimentID, name: experiment.name, lifecycleStage: .deleted))
            }
            StandardOutput.write("deleted experiment '\(experiment.name)' (ID \(experiment.experimentID))\n")
        }
    }

    /// `mlops experiments restore ID`.
    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restore a deleted experiment and its runs.",
            discussion: "With --json: {\"experiment_id\", \"name\", \"lifecycle_stage\": \"active\"}."
        )

        @Argument(help: ArgumentHelp("The experiment's ID (or name).", valueName: "id"))
        var experiment: String

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let (_, client) = try options.makeMLflowClient()
            let experiment = try await ExperimentsCommand.resolve(experiment, client: client)
            try await client.restoreExperiment(id: experiment.experimentID)
            if options.json {
                return try JSONOutput.print(
                    Change(experimentID: experiment.experimentID, name: experiment.name, lifecycleStage: .active))
            }
            StandardOutput.write("restored experiment '\(experiment.name)' (ID \(experiment.experimentID))\n")
        }
    }
}
