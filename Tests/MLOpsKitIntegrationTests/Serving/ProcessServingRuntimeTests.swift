import Foundation
import MLOpsKit
import Testing

/// What only the process runtime does: sessions and process groups, signals, the state directory, its
/// lock, secrets kept out of it, ports, executables. Served by `Tests/Fixtures/serving_stub.py`.
@Suite("ProcessServingRuntime")
struct ProcessServingRuntimeTests {
    /// A runtime on a fresh state directory, removed with everything it runs after `body`.
    func withRuntime(
        environment: [String: String] = [:], configure: (inout ProcessServingConfiguration) -> Void = { _ in },
        _ body: (ProcessServingRuntime) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mlopskit-serving-\(UUID().uuidString.prefix(8).lowercased())").path
        var configuration = ProcessRuntimeHarness.configuration(stateDirectory: directory, environment: environment)
        configure(&configuration)
        let runtime = try ProcessServingRuntime(configuration: configuration)
        do {
            try await body(runtime)
        } catch {
            await ProcessRuntimeHarness().cleanUp(runtime)
            throw error
        }
        await ProcessRuntimeHarness().cleanUp(runtime)
    }

    func spec(_ environment: [String: String] = [:], version: String = "1") -> ServingSpec {
        ServingSpec(
            key: ServingKey(model: IntegrationEnvironment.uniqueName("process"), alias: "Production"),
            version: version, environment: environment, configHash: "h")
    }

    func startServing(_ runtime: ProcessServingRuntime, _ spec: ServingSpec) async throws -> ServingInstance {
        let created = try await runtime.create(spec)
        try await runtime.start(created.id)
        let instance = try await runtime.inspect(created.id)
        try await ServingProbe.waitForPing(instance, within: .seconds(30))
        return instance
    }

    func get(_ instance: ServingInstance, _ path: String) async throws -> TransportResponse {
        try await CurlTransport().send(TransportRequest(url: try #require(instance.endpoint).appendingPathComponent(path), timeout: .seconds(5)))
    }

    /// Fields 5 (process group) and 6 (session) of `/proc/<pid>/stat`.
    func groupAndSession(_ pid: Int32) throws -> (group: Int32, session: Int32) {
        let text = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        let fields = text[text.index(after: try #require(text.lastIndex(of: ")")))...].split(separator: " ")
        return (try #require(Int32(fields[2])), try #require(Int32(fields[3])))
    }

    func isGone(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return true }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return stat.contains(") Z ")
    }

    func waitUntil(_ deadline: Duration = .seconds(20), _ condition: () -> Bool) async throws -> Bool {
        let end = ContinuousClock.now + deadline
        while !condition() {
            if ContinuousClock.now >= end { return false }
            try await Task.sleep(for: .milliseconds(50))
        }
        return true
    }

    /// A model server that writes 6 MiB keeps at most about 2 × `logMaxBytes` on disk: the log is
    /// rotated to `<log>.1` as it grows, and `logs` reads across the two parts.
    @Test func serverLogsAreRotatedPastTheirMaximumSize() async throws {
        let script = """
            i=0; while [ $i -lt 24 ]; do head -c 262144 /dev/zero | tr '\\0' x; echo; echo "burst $i"; \
            i=$((i+1)); sleep 0.1; done; echo finished; exec sleep 600
            """
        try await withRuntime(configure: {
            $0.command = ["/bin/sh", "-c", script]
            $0.logMaxBytes = 512 << 10
            $0.watchInterval = .milliseconds(50)
        }) { runtime in
            let created = try await runtime.create(spec())
            try await runtime.start(created.id)
            let finished = try await waitUntil(.seconds(60)) {
                (try? String(contentsOfFile: "\(runtime.stateDirectory)/\(created.id).log", encoding: .utf8))?
                    .hasSuffix("finished\n") == true
            }
            try #require(finished, "the writer did not finish")
            let log = "\(runtime.stateDirectory)/\(created.id).log"
            let size = { (path: String) in
                ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? -1
            }
            #expect(size(log + ".1") > 0, "rotated at least once")
            // 6 MiB written; kept: at most the maximum plus what is written between two looks, twice.
            #expect(size(log) + size(log + ".1") < 3 << 20, "\(size(log)) + \(size(log + ".1")) bytes kept")
            let tail = try await runtime.logs(created.id, tail: 1)
            #expect(tail == "finished\n")
            // More lines than the current part holds come from the kept part too (lines written while a
            // rotation copied the log may be missing, so compare with the parts rather than the bursts).
            let current = try String(contentsOfFile: log, encoding: .utf8)
            let kept = try String(contentsOfFile: log + ".1", encoding: .utf8)
            #expect(current.split(separator: "\n").count < 12)
            let longer = try await runtime.logs(created.id, tail: 12)
            #expect(longer.hasSuffix(current))
            #expect(longer.count > current.count, "lines from \(log).1 too")
            // (A kept part cut mid-line is followed by a line break before the current part.)
            let fromKept = String(longer.dropLast(current.count))
            #expect(kept.hasSuffix(fromKept) || kept.hasSuffix(String(fromKept.dropLast())), "the end of the kept part")
            try await runtime.remove(created.id)
            #expect(!FileManager.default.fileExists(atPath: log + ".1"), "removed with the instance")
        }
    }

    @Test func serversRunInSessionsOfTheirOwnWithTheSpecsEnvironment() async throws {
        try await withRuntime(environment: ["FROM_CONFIGURATION": "configured", "OVERRIDDEN": "configuration"]) { runtime in
            let instance = try await startServing(runtime, spec(["FROM_SPEC": "spec-value", "OVERRIDDEN": "spec"]))
            let pid = try #require(instance.processID)
            let ids = try groupAndSession(pid)
            #expect(ids.group == pid)
            #expect(ids.session == pid)
            #expect(try await get(instance, "env/FROM_SPEC").bodyText == "spec-value")
            #expect(try await get(instance, "env/FROM_CONFIGURATION").bodyText == "configured")
            #expect(try await get(instance, "env/OVERRIDDEN").bodyText == "spec")
            #expect(try await get(instance, "env/PATH").status == 200)
            #expect(try await get(instance, "pid").bodyText == "\(pid)")
            // stdin is /dev/null, stdout and stderr the log, nothing else inherited.
            let descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").compactMap(Int.init).sorted()
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/0") == "/dev/null")
            let log = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/1")
            #expect(log.hasPrefix(runtime.stateDirectory) && log.hasSuffix("\(instance.id).log"))
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/2") == log)
            // The stub's own listening socket (and Python's) may follow; none of the test process's files.
            for descriptor in descriptors where descriptor > 2 {
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(descriptor)")) ?? ""
                #expect(!target.hasPrefix(runtime.stateDirectory), "inherited \(target)")
            }
        }
    }

    @Test func secretsStayOutOfTheStateDirectory() async throws {
        let secret = "s3cr3t-\(UUID().uuidString)"
        try await withRuntime(environment: ["CONFIGURED_SECRET": secret + "-configured"]) { runtime in
            let instance = try await startServing(runtime, spec(["AWS_SECRET_ACCESS_KEY": secret]))
            #expect(try await get(instance, "env/AWS_SECRET_ACCESS_KEY").bodyText == secret)
            #expect(try await get(instance, "env/CONFIGURED_SECRET").bodyText == secret + "-configured")
            for name in try FileManager.default.contentsOfDirectory(atPath: runtime.stateDirectory) {
                let data = try Data(contentsOf: URL(fileURLWithPath: runtime.stateDirectory).appendingPathComponent(name))
                #expect(!String(decoding: data, as: UTF8.self).contains(secret), "\(name) holds the secret")
            }
            // The state file names the variable and holds what adoption needs.
            let record = try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: "\(runtime.stateDirectory)/\(instance.id).json"))) as? [String: Any]
            #expect(record?["environmentNames"] as? [String] == ["AWS_SECRET_ACCESS_KEY"])
            #expect((record?["processID"] as? NSNumber)?.int32Value == instance.processID)
            #expect(record?["processStartTicks"] != nil)
            #expect(record?["port"] as? Int == instance.port)
            let attributes = try FileManager.default.attributesOfItem(atPath: "\(runtime.stateDirectory)/\(instance.id).json")
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

            // A runtime opened later cannot restart it without the environment, and says so without the value.
            try await runtime.stop(instance.id, grace: .seconds(10))
            await runtime.close()
            let reopened = try ProcessServingRuntime(configuration: runtime.configuration)
            defer { Task { await reopened.close() } }
            do {
                try await reopened.start(instance.id)
                Issue.record("started without its environment")
            } catch let error as ServingRuntimeError {
                guard case .mustBeRecreated(let id, let reason) = error else { throw error }
                #expect(id == instance.id)
                #expect(reason.contains("AWS_SECRET_ACCESS_KEY"))
                #expect(!error.description.contains(secret))
            }
            try await reopened.remove(instance.id)
            await reopened.close()
        }
    }

    @Test func stopEscalatesToSIGKILLAfterTheGrace() async throws {
        try await withRuntime(environment: ["STUB_IGNORE_SIGTERM": "1"]) { runtime in
            let instance = try await startServing(runtime, spec())
            let started = ContinuousClock.now
            try await runtime.stop(instance.id, grace: .seconds(1))
            #expect(ContinuousClock.now - started >= .seconds(1))
            #expect(try await runtime.inspect(instance.id).state == .exited(exitCode: 137))
            #expect(isGone(try #require(instance.processID)))
        }
    }

    @Test func aServerWhoseMainThreadEndsFirstIsWaitedFor() async throws {
        try await withRuntime(environment: ["STUB_SLOW_EXIT": "1"]) { runtime in
            let instance = try await startServing(runtime, spec())
            let pid = try #require(instance.processID)
            try await runtime.stop(instance.id, grace: .seconds(20))
            // The leader showed as a zombie for 1.5 s while its last thread ran: stop waited for the
            // real exit, took its status, and left no zombie behind.
            #expect(try await runtime.inspect(instance.id).state == .exited(exitCode: 7))
            #expect(!FileManager.default.fileExists(atPath: "/proc/\(pid)"))
            #expect(try await runtime.logs(instance.id, tail: nil).contains("slow exit done"))
        }
    }

    @Test func stopEndsTheWholeProcessGroupWithSIGTERM() async throws {
        try await withRuntime(environment: ["STUB_SPAWN_CHILD": "1"]) { runtime in
            let instance = try await startServing(runtime, spec())
            let logs = try await runtime.logs(instance.id, tail: nil)
            let line = try #require(logs.split(separator: "\n").first { $0.hasPrefix("child pid=") })
            let child = try #require(Int32(line.dropFirst("child pid=".count)))
            #expect(try groupAndSession(child).group == instance.processID)
            try await runtime.stop(instance.id, grace: .seconds(10))
            #expect(try await runtime.inspect(instance.id).state == .exited(exitCode: 143))
            #expect(try await waitUntil { isGone(child) }, "the server's child survived stop")
        }
    }

    @Test func aCrashTakesItsProcessGroupAlong() async throws {
        try await withRuntime(environment: ["STUB_SPAWN_CHILD": "1"]) { runtime in
            let events = EventRecorder(runtime.events())
            defer { events.stop() }
            let instance = try await startServing(runtime, spec())
            let logs = try await runtime.logs(instance.id, tail: nil)
            let line = try #require(logs.split(separator: "\n").first { $0.hasPrefix("child pid=") })
            let child = try #require(Int32(line.dropFirst("child pid=".count)))
            kill(try #require(instance.processID), SIGKILL)
            let exited = await events.first(within: .seconds(20)) { $0.instanceID == instance.id && $0.kind == .exited(exitCode: 137) }
            #expect(exited != nil, "events: \(events.all)")
            #expect(try await waitUntil { isGone(child) }, "the crashed server's child survived")
            #expect(events.all.filter { $0.instanceID == instance.id && $0.kind == .started }.count == 1)
        }
    }

    @Test func serversOutliveAnAgentKilledWithSIGKILL() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mlopskit-serving-\(UUID().uuidString.prefix(8).lowercased())").path
        let model = IntegrationEnvironment.uniqueName("process-agent")
        // The agent: another process that starts an instance and is killed with SIGKILL.
        await #expect(processExitsWith: .signal(SIGKILL)) { [directory = directory as String, model = model as String] in
            let runtime = try ProcessServingRuntime(configuration: ProcessRuntimeHarness.configuration(stateDirectory: directory))
            let instance = try await runtime.create(ServingSpec(key: ServingKey(model: model, alias: "Production"), version: "1"))
            try await runtime.start(instance.id)
            try await ServingProbe.waitForPing(try await runtime.inspect(instance.id), within: .seconds(30))
            kill(getpid(), SIGKILL)
        }
        // The agent restarted: its instance still runs, untouched, and is adopted.
        let runtime = try ProcessServingRuntime(configuration: ProcessRuntimeHarness.configuration(stateDirectory: directory))
        let instances = try await runtime.instances(matching: [ServingLabels.model: model])
        #expect(instances.count == 1)
        if let instance = instances.first {
            #expect(instance.state == .running)
            let pid = try #require(instance.processID)
            #expect(try groupAndSession(pid).session == pid)
            #expect(try await ServingProbe.ping(instance) == 200)
            try await runtime.stop(instance.id, grace: .seconds(10))
            #expect(try await ServingProbe.ping(instance) != 200)
        }
        await ProcessRuntimeHarness().cleanUp(runtime)
    }

    @Test func aSecondRuntimeOnTheSameDirectoryIsRefused() async throws {
        try await withRuntime { runtime in
            var impatient = runtime.configuration
            impatient.lockWait = .milliseconds(300)
            #expect(throws: ProcessServingRuntimeError.stateDirectoryLocked(path: runtime.stateDirectory, ownerProcessID: getpid())) {
                _ = try ProcessServingRuntime(configuration: impatient)
            }
            // A runtime that goes away without close() lets go of the lock too.
            do {
                let other = FileManager.default.temporaryDirectory
                    .appendingPathComponent("mlopskit-serving-\(UUID().uuidString.prefix(8).lowercased())").path
                defer { try? FileManager.default.removeItem(atPath: other) }
                var configuration = runtime.configuration
                configuration.stateDirectory = other
                configuration.lockWait = .milliseconds(300)
                _ = try ProcessServingRuntime(configuration: configuration)
                let again = try ProcessServingRuntime(configuration: configuration)
                await again.close()
            }
            await runtime.close()
            await #expect(throws: ServingRuntimeError.self) { _ = try await runtime.instances(matching: [:]) }
            // Closed, it let go of the lock.
            let next = try ProcessServingRuntime(configuration: runtime.configuration)
            await next.close()
        }
    }

    @Test func aMissingExecutableIsNamed() async throws {
        try await withRuntime(configure: { $0.executable = "mlopskit-no-such-server" }) { runtime in
            let instance = try await runtime.create(spec())
            await #expect(throws: ServingRuntimeError.startFailed(id: instance.id, reason: "executable mlopskit-no-such-server not found in PATH")) {
                try await runtime.start(instance.id)
            }
            #expect(try await runtime.inspect(instance.id).state == .created)
        }
        try await withRuntime(configure: { $0.executable = "/nonexistent/mlflow" }) { runtime in
            let instance = try await runtime.create(spec())
            await #expect(throws: ServingRuntimeError.startFailed(id: instance.id, reason: "executable /nonexistent/mlflow not found")) {
                try await runtime.start(instance.id)
            }
        }
    }

    @Test func aTakenPortMovesTheInstanceAtStart() async throws {
        try await withRuntime { runtime in
            let created = try await runtime.create(spec())
            let taken = try #require(created.port)
            // Someone else listens on the instance's port before it starts.
            let squatter = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(squatter) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(taken).bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(squatter, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            try #require(bound == 0 && listen(squatter, 1) == 0)
            try await runtime.start(created.id)
            let running = try await runtime.inspect(created.id)
            #expect(running.port != taken)
            #expect(running.labels[ServingLabels.port] == running.port.map(String.init))
            #expect(running.endpoint?.port == running.port)
            try await ServingProbe.waitForPing(running, within: .seconds(30))
        }
    }

    @Test func aRecordedProcessIDNowUsedByAnotherProcessIsNotAdopted() async throws {
        try await withRuntime { runtime in
            let instance = try await startServing(runtime, spec())
            try await runtime.stop(instance.id, grace: .seconds(10))
            await runtime.close()
            // Another process now has the recorded ID: same ID, another start time.
            let bystander = Process()
            bystander.executableURL = URL(fileURLWithPath: "/bin/sleep")
            bystander.arguments = ["30"]
            try bystander.run()
            defer { bystander.terminate() }
            let path = "\(runtime.stateDirectory)/\(instance.id).json"
            var record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
            record["processID"] = bystander.processIdentifier
            record["processStartTicks"] = 1
            record["desiredRunning"] = true
            try JSONSerialization.data(withJSONObject: record).write(to: URL(fileURLWithPath: path))

            let reopened = try ProcessServingRuntime(configuration: runtime.configuration)
            let seen = try await reopened.inspect(instance.id)
            guard case .exited = seen.state else {
                Issue.record("adopted a stranger: \(seen.state)")
                return
            }
            try await reopened.stop(instance.id, grace: .seconds(1))
            try await reopened.remove(instance.id)
            #expect(bystander.isRunning)
            await reopened.close()
        }
    }

    @Test func removeDeletesTheStateFileAndTheLog() async throws {
        try await withRuntime { runtime in
            let instance = try await startServing(runtime, spec())
            let files = try FileManager.default.contentsOfDirectory(atPath: runtime.stateDirectory)
            #expect(files.contains("\(instance.id).json") && files.contains("\(instance.id).log"))
            try await runtime.remove(instance.id)
            let after = try FileManager.default.contentsOfDirectory(atPath: runtime.stateDirectory)
            #expect(after.filter { $0.hasPrefix(instance.id) }.isEmpty)
            #expect(isGone(try #require(instance.processID)))
        }
    }
}
