import MLOpsCore

/// How the alias reconciler behaves. Defaults follow the original autoserve watcher where it had a
/// setting (aliases, poll interval) and what a careful operator expects elsewhere.
public struct AutoserveConfiguration: Sendable, Hashable {
    /// The aliases to serve (`MLFLOW_SERVE_ALIASES`), compared case-sensitively as MLflow does.
    public var aliases: [String]
    /// An MLflow search filter that limits which registered models are served, such as
    /// `name LIKE 'iris%'`; `nil` serves every model. The reconciler manages only instances of the
    /// configured aliases and, with a filter, of the models the filter returns: instances of other
    /// models or aliases on the same runtime are never touched (so, with a filter, an instance whose
    /// model was deleted from the registry is left running).
    public var modelFilter: String?
    /// How often the registry and the runtime are read in full (`MLFLOW_SERVE_POLL_SECONDS`). Webhook
    /// events and runtime events trigger reconciles in between; this resync stays the source of truth.
    public var resyncInterval: Duration
    /// Registered models per registry request (MLflow allows at most 1,000).
    public var registryPageSize: Int
    /// Whether an instance whose alias (or model) is gone is removed. When `false` it keeps serving the
    /// last version and its status says so.
    public var removesInstancesWhenAliasIsGone: Bool
    /// How many rollouts (create or replace) may run at once.
    public var maxConcurrentRollouts: Int
    /// When a new instance counts as ready.
    public var readiness: ReadinessPolicy
    /// Burst protection: an alias change that follows the key's previous change by less than this is
    /// part of a burst, and is rolled out only once the alias has stayed put for this long. The first
    /// change of a burst is rolled out at once, so a single change costs no delay, and an alias flipped
    /// back and forth many times costs at most two rollouts.
    public var settleInterval: Duration
    /// How long a replaced instance keeps running after its replacement is ready, so requests already
    /// sent to it finish. With a data plane that counts requests (``TrafficControl``), the instance is
    /// stopped as soon as its last request is answered, and this is the longest it waits.
    public var drainGrace: Duration
    /// How long a stopping model server gets between the polite signal and the kill.
    public var stopGrace: Duration
    /// Restart back-off for instances that crash.
    public var restartBackoff: RestartBackoff.Policy
    /// With a gateway: how a switch is checked on live traffic before the previous version is stopped.
    public var verification: VerificationPolicy
    /// Environment handed to every model server (`MLFLOW_TRACKING_URI`, `MLFLOW_S3_ENDPOINT_URL`, AWS
    /// keys). Values may be secret and are never logged.
    public var environment: [String: String]
    /// A hash of the settings that shape instances (runtime, image, command, environment). Instances
    /// labelled with another hash are replaced, make-before-break, as for a new version.
    public var configHash: String

    public init(
        aliases: [String] = ["Production"],
        modelFilter: String? = nil,
        resyncInterval: Duration = .seconds(30),
        registryPageSize: Int = 1_000,
        removesInstancesWhenAliasIsGone: Bool = true,
        maxConcurrentRollouts: Int = 2,
        settleInterval: Duration = .seconds(2),
        readiness: ReadinessPolicy = ReadinessPolicy(),
        drainGrace: Duration = .seconds(10),
        stopGrace: Duration = .seconds(10),
        restartBackoff: RestartBackoff.Policy = RestartBackoff.Policy(),
        verification: VerificationPolicy = VerificationPolicy(),
        environment: [String: String] = [:],
        configHash: String = ""
    ) {
        self.aliases = aliases
        self.modelFilter = modelFilter
        self.resyncInterval = resyncInterval
        self.registryPageSize = registryPageSize
        self.removesInstancesWhenAliasIsGone = removesInstancesWhenAliasIsGone
        self.maxConcurrentRollouts = maxConcurrentRollouts
        self.settleInterval = settleInterval
        self.readiness = readiness
        self.drainGrace = drainGrace
        self.stopGrace = stopGrace
        self.restartBackoff = restartBackoff
        self.verification = verification
        self.environment = environment
        self.configHash = configHash
    }
}

/// When a new serving instance counts as ready: `GET /ping` answers 200 and, when the model version
/// has an input example (`serving_input_example.json`), one `POST /invocations` with it answers 200.
public struct ReadinessPolicy: Sendable, Hashable {
    /// How long a new instance may take to become ready before the rollout is given up.
    public var timeout: Duration
    /// The pause between probes.
    public var interval: Duration
    /// The limit of one probe request.
    public var requestTimeout: Duration
    /// Whether to send the model's input example as a smoke test before switching to it.
    public var sendsInputExample: Bool

    public init(
        timeout: Duration = .seconds(300),
        interval: Duration = .milliseconds(250),
        requestTimeout: Duration = .seconds(5),
        sendsInputExample: Bool = true
    ) {
        self.timeout = timeout
        self.interval = interval
        self.requestTimeout = requestTimeout
        self.sendsInputExample = sendsInputExample
    }
}
