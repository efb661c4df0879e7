import MLOpsCore
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Logging

/// Serving instances as child processes of the host: the embedded runtime where no Docker is present.
///
/// Each instance is a `mlflow models serve` process (``ProcessServingConfiguration/command``) on a port
/// of 127.0.0.1, started with `posix_spawn` in a session of its own so that it outlives the process that
/// started it. Everything the runtime knows is in its state directory, one JSON file per instance, so a
/// runtime opened again on the same directory (an agent restarted, even after `kill -9`) adopts the
/// running instances: same IDs, same process IDs, nothing restarted.
///
/// ```swift
/// let runtime = try ProcessServingRuntime(configuration: .init(
///     stateDirectory: "/var/lib/autoserve", executable: "/srv/venv/bin/mlflow",
///     environment: ["MLFLOW_TRACKING_URI": "http://127.0.0.1:5000"]))
/// let spec = ServingSpec(key: ServingKey(model: "iris", alias: "Production"), version: "3")
/// let instance = try await runtime.create(spec)
/// try await runtime.start(instance.id)
/// // GET \(instance.endpoint!)/ping answers once the model has loaded.
/// ```
///
/// - An instance is *running* while its process exists, has the start time recorded when it started
///   (field 22 of `/proc/<pid>/stat`, so that a reused process ID is not taken for it) and is not a
///   zombie.
/// - ``stop(_:grace:)`` sends SIGTERM to the instance's process group, then SIGKILL to the group once
///   `grace` has passed, and returns when no process of the group is left (zombies aside: orphans of
///   the group wait for `init` or a subreaper to reap them).
/// - ``remove(_:)`` deletes the instance's state file and its log, as `docker rm` deletes a
///   container's log: read ``logs(_:tail:)`` first when a failure needs them.
/// - ``events()`` reports `.started`, `.removed`, and `.exited` within about one
///   ``ProcessServingConfiguration/watchInterval`` of an exit: children of this process are reaped with
///   `waitpid` (which also gives their exit code); adopted processes are looked up in `/proc`, so their
///   exit code is not known.
/// - A spec's environment is held in memory only. An exited instance whose spec had an environment
///   can be started again only by the runtime object that created it; a runtime opened later reports
///   ``ServingRuntimeError/startFailed(id:reason:)`` for it (remove it and create it again).
/// - While open, the runtime holds an exclusive lock on the state directory
///   (``ProcessServingConfiguration/lockStateDirectory``). ``close()`` releases it and leaves the
///   instances running, as an agent that exits does.
public actor ProcessServingRuntime: ServingRuntime {
    public nonisolated let name = "process"
    public nonisolated let configuration: ProcessServingConfiguration

    let directory: ProcessStateDirectory
    private let logger: Logger
    private let clock: ServingClock
    private let broadcaster = ServingEventBroadcaster()
    private let resources: OpenResources
    private var records: [String: ProcessInstanceRecord]
    /// Environments of the specs this object created, by instance ID.
    private var environments: [String: [String: String]] = [:]
    /// Instances last seen running.
    private var watched: Set<String>
    private var isClosed = false

    /// Opens the state directory (creating it), takes its lock, and adopts the instances recorded
    /// there: running ones are watched from now on, and ones whose process is gone are recorded as
    /// exited.
    ///
    /// - Parameter clock: paces the watcher and the waits for exits, and stamps the state files.
    public init(
        configuration: ProcessServingConfiguration = .init(), logger: Logger = .disabled, clock: ServingClock = .system
    ) throws(ProcessServingRuntimeError) {
        let directory = try ProcessStateDirectory(path: configuration.stateDirectory)
        let lock = configuration.lockStateDirectory ? try directory.lock(wait: configuration.lockWait, clock: clock) : nil
        let loaded: [ProcessInstanceRecord]
        do {
            let result = try directory.loadAll()
            loaded = result.records
            for name in result.unreadable {
                logger.warning("skipping unreadable serving state file", metadata: ["file": "\(name)"])
            }
        } catch {
            if let lock { SystemFile.closeDescriptor(lock) }
            throw error
        }
        var records: [String: ProcessInstanceRecord] = [:]
        var watched: Set<String> = []
        for var record in loaded {
            if let pid = record.processID, let ticks = record.processStartTicks {
                switch ProcessTable.observe(pid, startTicks: ticks) {
                case .running:
                    watched.insert(record.id)
                    logger.info("adopted serving process", metadata: ["id": "\(record.id)", "name": "\(record.name)", "pid": "\(pid)"])
                case .exited(let code):
                    record.processID = nil
                    record.processStartTicks = nil
                    record.exitCode = code
                    record.finishedAt = ProcessInstanceRecord.now(clock)
                    do { try directory.save(record) } catch {
                        logger.warning("cannot record an exited serving process", metadata: ["id": "\(record.id)", "error": "\(error)"])
                    }
                }
            }
            records[record.id] = record
        }
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
        self.directory = directory
        self.records = records
        self.watched = watched
        self.resources = OpenResources(lockDescriptor: lock)
        let interval = configuration.watchInterval
        resources.setWatcher(
            Task { [weak self] in
                while !Task.isCancelled {
                    try? await clock.sleep(for: interval)
                    guard let runtime = self else { return }
                    await runtime.watchOnce()
                }
            })
    }

    deinit {
        resources.release()
        broadcaster.finish()
    }

    /// Stops watching, ends every ``events()`` stream and releases the state directory's lock; the
    /// instances keep running for a runtime opened later to adopt. Every call after this one throws
    /// ``ServingRuntimeError/unavailable(_:)``.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        resources.release()
        broadcaster.finish()
    }

    /// The state directory in use.
    public nonisolated var stateDirectory: String { directory.path }

    // MARK: - ServingRuntime

    public func instances(matching labels: [String: String]) async throws -> [ServingInstance] {
        try checkOpen()
        try reload()
        return records.keys.sorted().compactMap { id in
            guard let record = settle(id), labels.allSatisfy({ record.labels[$0.key] == $0.value }) else { return nil }
            return instance(record)
        }
    }

    public func inspect(_ id: String) async throws -> ServingInstance {
        _ = try record(id)
        guard let record = settle(id) else { throw ServingRuntimeError.instanceNotFound(id) }
        return instance(record)
    }

    public func create(_ spec: ServingSpec) async throws -> ServingInstance {
        try checkOpen()
        guard !spec.name.isEmpty else { throw ServingRuntimeError.invalidSpec("the instance name is empty") }
        try reload()
        if records.values.contains(where: { $0.name == spec.name }) { throw ServingRuntimeError.nameConflict(spec.name) }
        guard let port = LoopbackPort.allocate() else {
            throw ServingRuntimeError.unavailable("no free port on 127.0.0.1")
        }
        var id = ProcessStateDirectory.newID()
        while records[id] != nil || directory.load(id) != nil { id = ProcessStateDirectory.newID() }

        let labels = ServingLabels.labels(for: spec, port: port)
        let record = ProcessInstanceRecord(
            id: id, name: spec.name, labels: labels, port: port, processID: nil, processStartTicks: nil,
            logPath: directory.logPath(id), createdAt: ProcessInstanceRecord.now(clock), startedAt: nil, finishedAt: nil,
            exitCode: nil, desiredRunning: false, command: nil, environmentNames: spec.environment.keys.sorted())
        try directory.save(record)
        records[id] = record
        environments[id] = spec.environment
        logger.info("created serving instance", metadata: ["id": "\(id)", "name": "\(spec.name)", "port": "\(port)"])
        return instance(record)
    }

    public func start(_ id: String) async throws {
        _ = try record(id)
        guard var record = settle(id) else { throw ServingRuntimeError.instanceNotFound(id) }
        if record.processID != nil {
            if !record.desiredRunning {
                record.desiredRunning = true
                try save(record)
            }
            return
        }
        let launch = try launch(for: record, specEnvironment: environments[id])
        if launch.port != record.port {
            logger.notice("serving port taken; moving", metadata: ["id": "\(id)", "from": "\(record.port)", "to": "\(launch.port)"])
            record.port = launch.port
            record.labels[ServingLabels.port] = String(launch.port)
        }
        let pid: Int32
        do {
            pid = try ChildProcessSpawner.spawn(
                executable: launch.executable, arguments: launch.arguments, environment: launch.environment,
                logPath: record.logPath)
        } catch {
            throw ServingRuntimeError.startFailed(id: id, reason: error.reason)
        }
        guard let status = ProcessTable.status(pid) else {
            var reason = "it exited at once"
            if case .reaped(let code) = ProcessTable.reap(pid) { reason += " with status \(code)" }
            throw ServingRuntimeError.startFailed(id: id, reason: reason)
        }
        record.processID = pid
        record.processStartTicks = status.startTicks
        record.startedAt = ProcessInstanceRecord.now(clock)
        record.finishedAt = nil
        record.exitCode = nil
        record.desiredRunning = true
        record.command = launch.arguments
        do {
            try save(record)
        } catch {
            // An instance the state directory does not know would be out of reach: undo it.
            ProcessTable.signalGroup(pid, SIGKILL)
            _ = await waitForExit(pid: pid, id: nil, deadline: clock.now + .seconds(5))
            throw error
        }
        watched.insert(id)
        logger.info("started serving instance", metadata: ["id": "\(id)", "name": "\(record.name)", "pid": "\(pid)", "port": "\(record.port)"])
        logger.debug("serving command", metadata: ["id": "\(id)", "command": "\(launch.arguments.joined(separator: " "))"])
        broadcaster.send(ServingRuntimeEvent(instanceID: id, labels: record.labels, kind: .started))
    }

    public func stop(_ id: String, grace: Duration) async throws {
        var record = try record(id)
        if record.desiredRunning {
            record.desiredRunning = false
            try save(record)
        }
        guard let pid = settle(id)?.processID else { return }
        if !ProcessTable.signalGroup(pid, SIGTERM) { kill(pid, SIGTERM) }
        if await waitForExit(pid: pid, id: id, deadline: clock.now + grace) { return }
        logger.notice("serving instance ignored SIGTERM; killing it", metadata: ["id": "\(id)", "pid": "\(pid)"])
        if !ProcessTable.signalGroup(pid, SIGKILL) { kill(pid, SIGKILL) }
        if await waitForExit(pid: pid, id: id, deadline: clock.now + .seconds(10)) { return }
        throw ServingRuntimeError.failed(
            operation: "stop \(id)", reason: "its process group \(pid) is still alive after SIGKILL: \(ProcessTable.describeGroup(pid))")
    }

    public func remove(_ id: String) async throws {
        let record = try record(id)
        if record.processID != nil { try await stop(id, grace: configuration.removeGrace) }
        directory.delete(id, log: true)
        let removed = records.removeValue(forKey: id)
        environments[id] = nil
        watched.remove(id)
        if removed != nil {
            logger.info("removed serving instance", metadata: ["id": "\(id)", "name": "\(record.name)"])
            broadcaster.send(ServingRuntimeEvent(instanceID: id, labels: record.labels, kind: .removed))
        }
    }

    public func rename(_ id: String, to name: String) async throws {
        _ = try record(id)
        guard !name.isEmpty else { throw ServingRuntimeError.invalidSpec("the instance name is empty") }
        try reload()
        guard var record = records[id] else { throw ServingRuntimeError.instanceNotFound(id) }
        guard record.name != name else { return }
        if records.values.contains(where: { $0.id != id && $0.name == name }) { throw ServingRuntimeError.nameConflict(name) }
        let old = record.name
        record.name = name
        try save(record)
        logger.info("renamed serving instance", metadata: ["id": "\(id)", "from": "\(old)", "to": "\(name)"])
    }

    public func logs(_ id: String, tail: Int?) async throws -> String {
        let path = try record(id).logPath
        let current = LogFileTail.read(path, lines: tail)
        // Lines the current log does not have come from the part kept at the last rotation.
        var lineCount = current.utf8.count(where: { $0 == UInt8(ascii: "\n") })
        if let last = current.utf8.last, last != UInt8(ascii: "\n") { lineCount += 1 }
        if let tail, lineCount >= tail { return current }
        let previous = LogFileTail.read(ProcessStateDirectory.rotatedLogPath(path), lines: tail.map { $0 - lineCount })
        guard !previous.isEmpty else { return current }
        return previous.hasSuffix("\n") || current.isEmpty ? previous + current : previous + "\n" + current
    }

    public nonisolated func events() -> AsyncThrowingStream<ServingRuntimeEvent, any Error> {
        broadcaster.subscribe()
    }

    // MARK: - State

    private func checkOpen() throws(ServingRuntimeError) {
        if isClosed { throw .unavailable("the process runtime on \(directory.path) is closed") }
    }

    /// The record of `id`, from memory or the state directory.
    private func record(_ id: String) throws(ServingRuntimeError) -> ProcessInstanceRecord {
        try checkOpen()
        if let record = records[id] { return record }
        guard let record = directory.load(id) else { throw .instanceNotFound(id) }
        records[id] = record
        if record.processID != nil { watched.insert(id) }
        return record
    }

    /// Reads the state directory again: records another runtime wrote (when the directory is not
    /// locked) join, records whose file is gone leave.
    private func reload() throws(ServingRuntimeError) {
        let loaded: [ProcessInstanceRecord]
        do {
            loaded = try directory.loadAll().records
        } catch {
            throw .unavailable(error.description)
        }
        var next: [String: ProcessInstanceRecord] = [:]
        for record in loaded {
            next[record.id] = records[record.id] ?? record
            if records[record.id] == nil, record.processID != nil { watched.insert(record.id) }
        }
        records = next
        watched.formIntersection(next.keys)
    }

    private func save(_ record: ProcessInstanceRecord) throws(ServingRuntimeError) {
        try directory.save(record)
        records[record.id] = record
    }

    /// Looks at the process of `id`: when it has exited, records that (with its exit status when this
    /// process reaped it) and reports `.exited`, once. Returns the record as it is now.
    @discardableResult
    private func settle(_ id: String) -> ProcessInstanceRecord? {
        guard var record = records[id] else {
            watched.remove(id)
            return nil
        }
        guard let pid = record.processID, let ticks = record.processStartTicks else {
            watched.remove(id)
            return record
        }
        guard case .exited(let code) = ProcessTable.observe(pid, startTicks: ticks) else { return record }
        if record.desiredRunning {
            // It ended on its own: whatever it left in its process group (server workers holding the
            // port) goes with it.
            ProcessTable.signalGroup(pid, SIGKILL)
        }
        record.processID = nil
        record.processStartTicks = nil
        record.exitCode = code
        record.finishedAt = ProcessInstanceRecord.now(clock)
        records[id] = record
        watched.remove(id)
        do { try directory.save(record) } catch {
            logger.warning("cannot record an exited serving process", metadata: ["id": "\(id)", "error": "\(error)"])
        }
        logger.info("serving process exited", metadata: ["id": "\(id)", "pid": "\(pid)", "status": "\(code.map { "\($0)" } ?? "unknown")"])
        broadcaster.send(ServingRuntimeEvent(instanceID: id, labels: record.labels, kind: .exited(exitCode: code)))
        return record
    }

    /// Waits until the process `pid` has exited and no process of its group is left (but zombies),
    /// settling `id` on the way; `false` when `deadline` passes first.
    private func waitForExit(pid: Int32, id: String?, deadline: ServingClock.Instant) async -> Bool {
        while true {
            let leaderGone: Bool
            if let id {
                leaderGone = settle(id)?.processID != pid
            } else {
                leaderGone = ProcessTable.reap(pid) != .running
            }
            if leaderGone && !ProcessTable.groupIsAlive(pid) { return true }
            if clock.now >= deadline { return false }
            try? await clock.sleep(for: .milliseconds(50))
        }
    }

    /// One look at every watched instance (the watcher task's tick): exits settled, logs rotated.
    private func watchOnce() {
        guard !isClosed else { return }
        for id in watched {
            guard let record = settle(id), let maxBytes = configuration.logMaxBytes else { continue }
            rotateLog(of: record, maxBytes: maxBytes)
        }
    }

    /// Rotates the log of `record` when it is over `maxBytes` (see ``ProcessServingConfiguration/logMaxBytes``).
    private func rotateLog(of record: ProcessInstanceRecord, maxBytes: Int64) {
        do {
            if try ProcessStateDirectory.rotateLog(record.logPath, maxBytes: maxBytes) {
                logger.debug("rotated serving log", metadata: ["id": "\(record.id)", "log": "\(record.logPath)"])
            }
        } catch {
            logger.warning("cannot rotate a serving log", metadata: ["id": "\(record.id)", "error": "\(error)"])
        }
    }

    private func instance(_ record: ProcessInstanceRecord) -> ServingInstance {
        let state: ServingInstanceState =
            if record.processID != nil { .running } else if record.everStarted { .exited(exitCode: record.exitCode) } else { .created }
        return ServingInstance(
            id: record.id, name: record.name, labels: record.labels, state: state,
            endpoint: URL(string: "http://127.0.0.1:\(record.port)"), startedAt: record.startedAt,
            processID: record.processID, restartCount: 0)
    }
}
