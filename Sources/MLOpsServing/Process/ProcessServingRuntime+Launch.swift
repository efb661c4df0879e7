import MLOpsCore
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What one start of an instance runs.
struct ProcessLaunch: Sendable {
    /// The executable's path.
    var executable: String
    /// The command line, `argv[0]` first.
    var arguments: [String]
    /// The model server's environment. Values may be secret: never log them.
    var environment: [String: String]
    /// The port it listens on.
    var port: Int
}

extension ProcessServingRuntime {
    /// The command line, environment and port for starting `record`, from the configuration and the
    /// spec's environment (`known`, `nil` when this object did not create the instance).
    nonisolated func launch(
        for record: ProcessInstanceRecord, specEnvironment known: [String: String]?
    ) throws(ServingRuntimeError) -> ProcessLaunch {
        let id = record.id
        let specEnvironment: [String: String]
        if let known {
            specEnvironment = known
        } else if record.environmentNames.isEmpty {
            specEnvironment = [:]
        } else {
            throw .mustBeRecreated(
                id: id,
                reason: "its environment (\(record.environmentNames.joined(separator: ", "))) is held only by the runtime that created it")
        }
        var environment = configuration.inheritEnvironment ? ProcessInfo.processInfo.environment : [:]
        environment.merge(configuration.environment) { _, new in new }
        environment.merge(specEnvironment) { _, new in new }

        guard let first = configuration.command.first else { throw .invalidSpec("the serving command is empty") }
        let name = configuration.executable ?? first
        let searchPath = configuration.executableSearchPath
            ?? (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        guard let executable = CommandTemplate.resolve(name, searchPath: searchPath) else {
            throw .startFailed(id: id, reason: name.contains("/") ? "executable \(name) not found" : "executable \(name) not found in PATH")
        }

        var port = record.port
        var attempts = 0
        while !LoopbackPort.isFree(port) {
            attempts += 1
            guard attempts < max(1, configuration.portAttempts), let next = LoopbackPort.allocate() else {
                throw .startFailed(id: id, reason: "no free port on 127.0.0.1 (\(record.port) is taken)")
            }
            port = next
        }

        let model = record.labels[ServingLabels.model] ?? ""
        let alias = record.labels[ServingLabels.alias] ?? ""
        let version = record.labels[ServingLabels.version] ?? ""
        let values = [
            "model_uri": ServingSpec(key: ServingKey(model: model, alias: alias), version: version).versionModelURI,
            "model": model, "alias": alias, "version": version, "port": String(port),
            "env_manager": configuration.envManager, "name": record.name,
        ]
        var arguments = CommandTemplate.render(configuration.command, values: values)
        arguments[0] = name
        return ProcessLaunch(executable: executable, arguments: arguments, environment: environment, port: port)
    }
}
