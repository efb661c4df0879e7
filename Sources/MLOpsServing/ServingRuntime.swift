import MLOpsCore

/// Where serving instances run: Docker containers (``DockerServingRuntime``), child processes
/// (``ProcessServingRuntime``), or anything else that can start a model server and find it again by
/// its labels.
///
/// The reconciler only ever talks to this protocol, and one shared conformance suite checks every
/// implementation. The contract:
/// - All state lives in the runtime: an agent that restarts finds its instances again with
///   ``instances(matching:)`` and adopts them untouched.
/// - ``create(_:)`` never starts anything; ``start(_:)`` does. Starting a running instance succeeds.
/// - ``stop(_:grace:)`` asks the model server to stop and kills it once `grace` has passed; stopping a
///   stopped instance succeeds. ``remove(_:)`` stops it first when needed.
/// - An unknown ID throws ``ServingRuntimeError/instanceNotFound(_:)``.
/// - Secrets in a spec's environment never appear in errors or logs.
public protocol ServingRuntime: Sendable {
    /// A short name for logs and status, such as `docker` or `process`.
    var name: String { get }

    /// Every instance carrying all of `labels` (``ServingLabels/selector`` finds them all), running
    /// or not.
    func instances(matching labels: [String: String]) async throws -> [ServingInstance]

    /// The instance with `id`, as it is now.
    func inspect(_ id: String) async throws -> ServingInstance

    /// Creates an instance for `spec` without starting it. Throws
    /// ``ServingRuntimeError/nameConflict(_:)`` when an instance already has `spec.name`.
    func create(_ spec: ServingSpec) async throws -> ServingInstance

    /// Starts a created or exited instance.
    func start(_ id: String) async throws

    /// Stops an instance: a polite signal first, a kill after `grace`.
    func stop(_ id: String, grace: Duration) async throws

    /// Removes an instance, stopping it first (with a short grace) if it runs.
    func remove(_ id: String) async throws

    /// Gives an instance a new name, such as the stable name once the instance it replaced is gone.
    /// Renaming to the current name succeeds and changes nothing.
    func rename(_ id: String, to name: String) async throws

    /// The last `tail` lines the model server wrote (stdout and stderr), all of them when `nil`.
    func logs(_ id: String, tail: Int?) async throws -> String

    /// Events about instances as they happen: a crash is reported at once. The stream ends when the
    /// runtime can no longer watch (the caller subscribes again); it throws on a connection error.
    func events() -> AsyncThrowingStream<ServingRuntimeEvent, any Error>
}
