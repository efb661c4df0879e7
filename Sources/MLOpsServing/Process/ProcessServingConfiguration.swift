import MLOpsCore
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// How a ``ProcessServingRuntime`` runs its model servers.
///
/// The defaults run `mlflow models serve` from the `PATH`, on a port of 127.0.0.1 the kernel chose,
/// with `--env-manager local`: the model loads in the Python environment that holds `mlflow`, which
/// therefore needs each model's flavour (scikit-learn, …) installed. `virtualenv` or `conda` would build
/// a fresh environment for every model version before it could answer, minutes per rollout on a small
/// host, and a process runtime has no image cache to keep such environments in.
public struct ProcessServingConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// `mlflow models serve -m {model_uri} -h 127.0.0.1 -p {port} --env-manager {env_manager}`.
    public static let defaultCommand = [
        "mlflow", "models", "serve", "-m", "{model_uri}", "-h", "127.0.0.1", "-p", "{port}",
        "--env-manager", "{env_manager}",
    ]

    /// Where the runtime keeps one JSON file and one log per instance, and its lock file. A runtime
    /// opened again on the same directory adopts the instances it finds there.
    public var stateDirectory: String
    /// The model server's command line. Placeholders in any argument: `{model_uri}` (the exact
    /// version, `models:/<model>/<version>`), `{model}`, `{alias}`, `{version}`, `{port}`,
    /// `{env_manager}`, `{name}`. The first element is the executable, looked up in
    /// ``executableSearchPath`` unless it holds a `/`.
    public var command: [String]
    /// An executable that replaces the first element of ``command``, such as a virtualenv's
    /// `bin/mlflow`. `mlflow models serve` starts `uvicorn` by name, so that environment's `bin`
    /// directory also belongs first on the server's `PATH` (``environment``) unless it is there already.
    public var executable: String?
    /// Directories searched for the executable; `nil` searches the `PATH` the model server gets.
    public var executableSearchPath: [String]?
    /// Environment for every model server, added to the runtime's own environment (when
    /// ``inheritEnvironment``) and overridden by each spec's environment. Values may be secret: they
    /// are held in memory only, never logged, never written to the state directory.
    public var environment: [String: String]
    /// Whether model servers start with the runtime's own environment (`PATH`, `HOME`, …) beneath
    /// ``environment`` and the spec's.
    public var inheritEnvironment: Bool
    /// The value of `{env_manager}`: `local` by default (see the type's discussion).
    public var envManager: String
    /// How long ``ProcessServingRuntime/remove(_:)`` waits after SIGTERM before it kills a running
    /// instance.
    public var removeGrace: Duration
    /// How often the runtime looks at the processes it watches: it reaps its own children (so none is
    /// left a zombie) and notices any watched process that exited, then reports `.exited`.
    public var watchInterval: Duration
    /// Whether the runtime holds an exclusive lock (`flock`) on the state directory while it is open,
    /// so that a second runtime on the same directory fails with
    /// ``ProcessServingRuntimeError/stateDirectoryLocked(path:ownerProcessID:)`` instead of fighting it.
    public var lockStateDirectory: Bool
    /// How long opening a runtime waits for a lock that is held before it fails (blocking the thread
    /// that opens it): enough for the lock of a runtime that is closing or exiting to be released.
    public var lockWait: Duration
    /// How many ports ``ProcessServingRuntime/start(_:)`` tries when the instance's port was taken
    /// meanwhile.
    public var portAttempts: Int
    /// The size past which a running model server's log (`<id>.log`) is rotated: its content moves to
    /// `<id>.log.1` (replacing the previous one) and the log starts again empty, so an instance keeps
    /// at most about twice this on disk. Checked every ``watchInterval``; `nil` never rotates.
    /// ``defaultLogMaxBytes`` (16 MiB) by default.
    public var logMaxBytes: Int64?

    public init(
        stateDirectory: String = ProcessServingConfiguration.defaultStateDirectory,
        command: [String] = ProcessServingConfiguration.defaultCommand,
        executable: String? = nil,
        executableSearchPath: [String]? = nil,
        environment: [String: String] = [:],
        inheritEnvironment: Bool = true,
        envManager: String = "local",
        removeGrace: Duration = .seconds(5),
        watchInterval: Duration = .milliseconds(250),
        lockStateDirectory: Bool = true,
        lockWait: Duration = .seconds(2),
        portAttempts: Int = 5,
        logMaxBytes: Int64? = ProcessServingConfiguration.defaultLogMaxBytes
    ) {
        self.stateDirectory = stateDirectory
        self.command = command
        self.executable = executable
        self.executableSearchPath = executableSearchPath
        self.environment = environment
        self.inheritEnvironment = inheritEnvironment
        self.envManager = envManager
        self.removeGrace = removeGrace
        self.watchInterval = watchInterval
        self.lockStateDirectory = lockStateDirectory
        self.lockWait = lockWait
        self.portAttempts = portAttempts
        self.logMaxBytes = logMaxBytes
    }

    /// 16 MiB: the default of ``logMaxBytes`` (and of `MLFLOW_SERVE_PROCESS_LOG_MAX_MIB`).
    public static let defaultLogMaxBytes: Int64 = 16 << 20

    /// `$XDG_STATE_HOME/mlopskit/serving`, else `$HOME/.local/state/mlopskit/serving`, else
    /// `.mlopskit-serving` in the working directory.
    public static var defaultStateDirectory: String { StateDirectory.defaultPath("serving") }

    /// The command and state directory; environment variable names only, never their values.
    public var description: String {
        let names = environment.keys.sorted().joined(separator: ",")
        return "process runtime in \(stateDirectory): \((executable.map { [$0] + command.dropFirst() } ?? command).joined(separator: " ")) env [\(names)]"
    }
}
