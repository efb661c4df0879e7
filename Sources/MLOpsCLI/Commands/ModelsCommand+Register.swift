import ArgumentParser
import MLOpsKit

extension ModelsCommand {
    /// `mlops models create NAME`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a registered model.",
            discussion: "Exit status 5 (RESOURCE_ALREADY_EXISTS) when the name is taken. With --json: the MLflow registered model."
        )

        @Argument(help: ArgumentHelp("The model's name.", valueName: "name"))
        var name: String

        @Option(help: ArgumentHelp("A description.", valueName: "text"))
        var description: String?

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let (_, client) = try options.makeMLflowClient()
            let model = try await client.createRegisteredModel(name: name, description: description, tags: [])
            if options.json { return try JSONOutput.print(model) }
            StandardOutput.write("created registered model '\(model.name)'\n")
        }
    }

    /// `mlops models register --model-name M --run-id R [--artifact-path model] [--alias A]`.
    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a new version of a model from a run's artifacts and print its number.",
            discussion: """
                The registered model is created when it does not exist yet. The version's source is the \
                run's artifact location joined with --artifact-path (default: model). With --alias, the \
                alias is pointed at the new version (recording the version it leaves, as 'alias set' does). \
                Prints only the version number, so that scripts can capture it. \
                With --json: the MLflow model version.
                """
        )

        @OptionGroup var model: ModelNameOption

        @Option(name: .customLong("run-id"), help: ArgumentHelp("The run that produced the model.", valueName: "run-id"))
        var runID: String

        @Option(
            name: .customLong("artifact-path"),
            help: ArgumentHelp("The model's path inside the run's artifacts.", valueName: "path"))
        var artifactPath = "model"

        @Option(help: ArgumentHelp("An alias to point at the new version.", valueName: "alias"))
        var alias: String?

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let (configuration, client) = try options.makeMLflowClient()
            let name = model.resolve(configuration)
            let run = try await client.getRun(id: runID)
            guard let root = run.info.artifactURI, !root.isEmpty else {
                throw CLIError.invalid("run \(runID) has no artifact location to register a model from")
            }
            do {
                _ = try await client.getRegisteredModel(name: name)
            } catch let error as MLflowError where error.isNotFound {
                _ = try await client.createRegisteredModel(name: name, description: nil, tags: [])
            }
            let path = artifactPath.split(separator: "/").joined(separator: "/")
            let source = root.hasSuffix("/") ? root + path : root + "/" + path
            var version = try await client.createModelVersion(
                name: name, source: source, runID: runID, description: nil, tags: [], modelID: nil)
            if let alias {
                _ = try await AliasManager(registry: client, tracking: client)
                    .setAlias(model: name, alias: alias, version: version.version)
                version = try await client.getModelVersion(name: name, version: version.version)
            }
            if options.json { return try JSONOutput.print(version) }
            StandardOutput.write("\(version.version)\n")
        }
    }
}
