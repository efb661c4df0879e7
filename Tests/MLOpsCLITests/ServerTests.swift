import Foundation
import MLOpsKit
import Testing

/// The built `mlops` binary against a real MLflow server (`MLOPSKIT_TEST_MLFLOW_URI`).
@Suite("mlops binary against a real mlflow server", .enabled(if: TestServer.enabled))
struct ServerTests {
    /// A fresh experiment and registered model with three READY versions whose runs have accuracy
    /// 0.90, 0.97 and 0.93.
    struct Fixture {
        var uri: String
        var experiment: String
        var experimentID: String
        var model: String
        var runIDs: [String]
    }

    private func makeFixture() async throws -> Fixture {
        let uri = try TestServer.uri()
        let client = try TestServer.client()
        let name = TestServer.uniqueName("cli")
        let experimentID = try await client.createExperiment(name: name, artifactLocation: nil, tags: [])
        _ = try await client.createRegisteredModel(name: name, description: "CLI test model", tags: [])
        var runIDs: [String] = []
        for accuracy in [0.90, 0.97, 0.93] {
            let run = try await client.createRun(
                experimentID: experimentID, runName: nil, startTime: nil, tags: [], userID: nil)
            try await client.logBatch(
                runID: run.info.runID, metrics: [Metric(key: "accuracy", value: accuracy, timestamp: 1)], params: [],
                tags: [])
            _ = try await client.createModelVersion(
                name: name, source: "\(run.info.artifactURI ?? "")/model", runID: run.info.runID, description: nil,
                tags: [], modelID: nil)
            runIDs.append(run.info.runID)
        }
        return Fixture(uri: uri, experiment: name, experimentID: experimentID, model: name, runIDs: runIDs)
    }

    private func mlops(_ arguments: [String], _ fixture: Fixture) async throws -> CLIRunner.Result {
        try await CLIRunner.run(arguments, trackingURI: fixture.uri)
    }

    // MARK: alias

    @Test func aliasSetGetAndStatusShapes() async throws {
        let fixture = try await makeFixture()
        let set = try await mlops(
            ["alias", "set", "--model-name", fixture.model, "--version", "1", "--alias", "Production"], fixture)
        #expect(set.status == 0, "\(set)")
        #expect(set.stdout.contains("version 1"), "\(set)")

        let setJSON = try await mlops(
            ["alias", "set", "--model-name", fixture.model, "--version", "2", "--alias", "Production", "--json"],
            fixture)
        #expect(setJSON.status == 0, "\(setJSON)")
        let move = try setJSON.jsonObject()
        #expect(Set(move.keys) == ["model", "alias", "version", "previous_version", "changed"])
        #expect(move["version"] as? String == "2" && move["previous_version"] as? String == "1")

        let get = try await mlops(
            ["alias", "get", "--model-name", fixture.model, "--alias", "Production", "--json"], fixture)
        #expect(get.status == 0, "\(get)")
        let version = try get.jsonObject()
        #expect(version["version"] as? String == "2")
        #expect(version["run_id"] as? String == fixture.runIDs[1])
        #expect(version["status"] as? String == "READY")
        #expect((version["source"] as? String)?.hasSuffix("/model") == true)

        let table = try await mlops(["alias", "get", "--model-name", fixture.model, "--alias", "Production"], fixture)
        #expect(table.status == 0 && table.stdout.contains(fixture.runIDs[1]), "\(table)")

        // The original toolkit's exact shape: {"<alias>": {"version", "run_id", "stage"} | {"error"}}.
        let status = try await mlops(["alias", "status", "--model-name", fixture.model], fixture)
        #expect(status.status == 0, "\(status)")
        let statuses = try #require(try status.json() as? [String: [String: Any]], "\(status)")
        #expect(Set(statuses.keys) == ["dev", "test", "Production"])
        let production = try #require(statuses["Production"])
        #expect(Set(production.keys) == ["version", "run_id", "stage"])
        #expect(production["version"] as? String == "2")
        #expect(production["run_id"] as? String == fixture.runIDs[1])
        #expect(production["stage"] as? String == "None")
        for alias in ["dev", "test"] {
            let entry = try #require(statuses[alias])
            #expect(Set(entry.keys) == ["error"])
            #expect((entry["error"] as? String)?.contains(alias) == true)
        }

        let custom = try await mlops(
            ["alias", "status", "--model-name", fixture.model, "--aliases", "Production,Staging"], fixture)
        #expect(Set(try #require(try custom.json() as? [String: Any]).keys) == ["Production", "Staging"])

        let humans = try await mlops(["alias", "status", "--model-name", fixture.model, "--table"], fixture)
        #expect(humans.status == 0 && humans.stdout.hasPrefix("ALIAS"), "\(humans)")
    }

    @Test func aliasStatusOfAnUnknownModelIsPerAliasErrors() async throws {
        let uri = try TestServer.uri()
        let model = TestServer.uniqueName("missing")
        let result = try await CLIRunner.run(["alias", "status", "--model-name", model], trackingURI: uri)
        #expect(result.status == 0, "as the original toolkit: \(result)")
        let statuses = try #require(try result.json() as? [String: [String: String]], "\(result)")
        #expect(statuses.values.allSatisfy { Set($0.keys) == ["error"] })
    }

    @Test func aliasDeleteRecordsThePreviousVersion() async throws {
        let fixture = try await makeFixture()
        _ = try await mlops(["alias", "set", "--model-name", fixture.model, "--version", "3", "--alias", "Test"], fixture)
        let delete = try await mlops(["alias", "delete", "--model-name", fixture.model, "--alias", "Test"], fixture)
        #expect(delete.status == 0 && delete.stdout.contains("was version 3"), "\(delete)")
        let again = try await mlops(["alias", "delete", "--model-name", fixture.model, "--alias", "Test"], fixture)
        #expect(again.status == 0 && again.stdout.contains("nothing to remove"), "\(again)")
        let rollback = try await mlops(["alias", "rollback", "--model-name", fixture.model, "--alias", "Test"], fixture)
        #expect(rollback.status == 0, "\(rollback)")
        #expect(try await TestServer.client().getModelVersion(name: fixture.model, alias: "Test").version == "3")
    }

    @Test func promoteAndRollback() async throws {
        let fixture = try await makeFixture()
        let client = try TestServer.client()
        _ = try await mlops(
            ["alias", "set", "--model-name", fixture.model, "--version", "1", "--alias", "Production"], fixture)

        let dryRun = try await mlops(
            [
                "alias", "promote", "--model-name", fixture.model, "--alias", "Production", "--metric", "accuracy",
                "--dry-run", "--json",
            ],
            fixture)
        #expect(dryRun.status == 0, "\(dryRun)")
        let plan = try dryRun.jsonObject()
        #expect(
            plan["version"] as? String == "2" && plan["dry_run"] as? Bool == true && plan["changed"] as? Bool == false)
        #expect(try await client.getModelVersion(name: fixture.model, alias: "Production").version == "1")

        let promote = try await mlops(
            [
                "alias", "promote", "--model-name", fixture.model, "--alias", "Production", "--metric", "accuracy",
                "--order", "max", "--json",
            ],
            fixture)
        #expect(promote.status == 0, "\(promote)")
        let promotion = try promote.jsonObject()
        #expect(
            Set(promotion.keys)
                == [
                    "model", "alias", "metric", "order", "candidates", "version", "value", "previous_version",
                    "changed", "dry_run",
                ])
        #expect(promotion["version"] as? String == "2")
        #expect(promotion["previous_version"] as? String == "1")
        #expect(promotion["changed"] as? Bool == true)
        #expect(promotion["value"] as? Double == 0.97)
        let candidates = try #require(promotion["candidates"] as? [[String: Any]])
        #expect(candidates.count == 3)
        #expect(candidates.allSatisfy { Set($0.keys) == ["version", "run_id", "value"] })
        #expect(try await client.getModelVersion(name: fixture.model, alias: "Production").version == "2")

        let minimum = try await mlops(
            [
                "alias", "promote", "--model-name", fixture.model, "--alias", "Canary", "--metric", "accuracy",
                "--order", "min",
                "--candidates", "latest:2",
            ],
            fixture)
        #expect(minimum.status == 0, "\(minimum)")
        #expect(minimum.stdout.contains("ACCURACY") && minimum.stdout.contains("version 3"), "\(minimum)")

        let rollback = try await mlops(
            ["alias", "rollback", "--model-name", fixture.model, "--alias", "Production", "--json"], fixture)
        #expect(rollback.status == 0, "\(rollback)")
        let back = try rollback.jsonObject()
        #expect(back["from_version"] as? String == "2" && back["to_version"] as? String == "1")
        #expect(try await client.getModelVersion(name: fixture.model, alias: "Production").version == "1")
    }

    @Test func promoteWithAMetricNoCandidateHasExitsWithStatusSix() async throws {
        let fixture = try await makeFixture()
        let result = try await mlops(
            ["alias", "promote", "--model-name", fixture.model, "--alias", "Production", "--metric", "f1_macro"],
            fixture)
        #expect(result.status == 6, "\(result)")
        #expect(result.stderr.contains("'f1_macro'"), "\(result)")
        let nothing = try await mlops(["alias", "rollback", "--model-name", fixture.model, "--alias", "Production"], fixture)
        #expect(nothing.status == 6, "\(nothing)")
    }

    @Test func unknownModelExitsWithStatusThreeNamingIt() async throws {
        let uri = try TestServer.uri()
        let model = TestServer.uniqueName("nope")
        for arguments in [
            ["alias", "get", "--model-name", model, "--alias", "Production"],
            ["alias", "set", "--model-name", model, "--version", "1", "--alias", "Production"],
            ["alias", "promote", "--model-name", model, "--metric", "accuracy"],
            ["models", "show", model],
            ["models", "versions", model],
        ] {
            let result = try await CLIRunner.run(arguments, trackingURI: uri)
            #expect(result.status == 3, "\(result)")
            #expect(result.stderr == "Error: registered model '\(model)' not found\n", "\(result)")
        }
    }

    @Test func unknownAliasExitsWithStatusThreeNamingModelAndAlias() async throws {
        let fixture = try await makeFixture()
        let result = try await mlops(["alias", "get", "--model-name", fixture.model, "--alias", "Staging"], fixture)
        #expect(result.status == 3, "\(result)")
        #expect(result.stderr == "Error: model '\(fixture.model)' has no alias 'Staging'\n", "\(result)")
    }

    @Test func unknownVersionRunAndExperimentExitWithStatusThree() async throws {
        let fixture = try await makeFixture()
        let version = try await mlops(
            ["alias", "set", "--model-name", fixture.model, "--version", "99", "--alias", "x"], fixture)
        #expect(version.status == 3, "\(version)")
        #expect(version.stderr.contains("'99'"), "\(version)")
        let run = try await mlops(["runs", "show", "0123456789abcdef0123456789abcdef"], fixture)
        #expect(run.status == 3 && run.stderr.contains("0123456789abcdef0123456789abcdef"), "\(run)")
        let experiment = try await mlops(["experiments", "show", "no-such-\(fixture.experiment)"], fixture)
        #expect(
            experiment.status == 3 && experiment.stderr.contains("'no-such-\(fixture.experiment)'"), "\(experiment)")
        let listing = try await mlops(["runs", "list", "--experiment", "no-such-\(fixture.experiment)"], fixture)
        #expect(listing.status == 3, "\(listing)")
    }

    // MARK: experiments, runs, models

    /// The README's quick start: runs created and registered from the command line, then promoted.
    @Test func runsCreateAndModelsRegisterDriveTheQuickStart() async throws {
        let uri = try TestServer.uri()
        let experiment = TestServer.uniqueName("cli-qs")
        let model = TestServer.uniqueName("cli_qs_model")
        let first = try await CLIRunner.run(
            ["runs", "create", "--experiment", experiment, "--name", "rf", "--param", "n_estimators=100",
             "--metric", "accuracy=0.93", "--finish"], trackingURI: uri)
        #expect(first.status == 0, "\(first)")
        let firstRun = first.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(firstRun.count == 32 && firstRun.allSatisfy(\.isHexDigit), "\(first)")
        let second = try await CLIRunner.run(
            ["runs", "create", "--experiment", experiment, "--metric", "accuracy=0.97", "--finish", "--json"],
            trackingURI: uri)
        let secondRun = try #require((try second.jsonObject()["info"] as? [String: Any])?["run_id"] as? String)
        #expect((try second.jsonObject()["info"] as? [String: Any])?["status"] as? String == "FINISHED")

        let registered = try await CLIRunner.run(
            ["models", "register", "--model-name", model, "--run-id", firstRun, "--alias", "Production"], trackingURI: uri)
        #expect(registered.status == 0 && registered.stdout == "1\n", "\(registered)")
        let again = try await CLIRunner.run(["models", "register", "--model-name", model, "--run-id", secondRun, "--json"], trackingURI: uri)
        let version = try again.jsonObject()
        #expect(version["version"] as? String == "2")
        #expect((version["source"] as? String)?.hasSuffix("\(secondRun)/artifacts/model") == true)

        let client = try TestServer.client()
        #expect(try await client.getModelVersion(name: model, alias: "Production").runID == firstRun)
        let promote = try await CLIRunner.run(
            ["alias", "promote", "--model-name", model, "--alias", "Production", "--metric", "accuracy"], trackingURI: uri)
        #expect(promote.status == 0, "\(promote)")
        #expect(try await client.getModelVersion(name: model, alias: "Production").version == "2")

        let missingRun = try await CLIRunner.run(["models", "register", "--model-name", model, "--run-id", "0123456789abcdef0123456789abcdef"], trackingURI: uri)
        #expect(missingRun.status == 3, "\(missingRun)")
        let taken = try await CLIRunner.run(["models", "create", model], trackingURI: uri)
        #expect(taken.status == 5 && taken.stderr.contains("RESOURCE_ALREADY_EXISTS"), "\(taken)")
        let badMetric = try await CLIRunner.run(["runs", "create", "--experiment", experiment, "--metric", "accuracy"], trackingURI: uri)
        #expect(badMetric.status == 6, "\(badMetric)")
    }

    @Test(.enabled(if: CLIS3Servers.enabled))
    func healthShowsTheStackAndPassesWhenTheRequiredServicesAreUp() async throws {
        let uri = try TestServer.uri()
        let s3 = try CLIS3Servers.server(named: "seaweedfs")
        let environment = s3.environment.merging(["AIRFLOW_BASE_URL": "http://127.0.0.1:1", "GRAFANA_URL": "http://127.0.0.1:1"]) { $1 }
        let table = try await CLIRunner.run(
            ["health", "--services", "mlflow,minio,airflow,grafana", "--require", "mlflow,minio"], trackingURI: uri,
            extraEnvironment: environment)
        #expect(table.status == 0, "\(table)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("SERVICE") == true)
        #expect(lines.contains { $0.hasPrefix("MLflow") && $0.contains(" UP ") })
        #expect(lines.contains { $0.hasPrefix("MinIO") && $0.contains(" UP ") })
        #expect(lines.contains { $0.hasPrefix("Airflow") && $0.contains(" down ") && $0.contains("connection refused") })
        let waited = try await CLIRunner.run(
            ["health", "--services", "mlflow", "--wait", "--wait-timeout", "10"], trackingURI: uri, extraEnvironment: environment)
        #expect(waited.status == 0, "\(waited)")
    }

    /// A run whose artifact location is `s3://`, as in the original stack (MinIO): the artifact commands
    /// go straight to the bucket with the S3 variables MLflow's own client reads.
    @Test(.enabled(if: CLIS3Servers.enabled))
    func artifactCommandsReachS3ArtifactLocationsDirectly() async throws {
        let uri = try TestServer.uri()
        let s3 = try CLIS3Servers.server(named: "seaweedfs")
        let bucket = CLIS3Servers.uniqueBucket()
        try await s3.client().createBucket(bucket)
        let client = try TestServer.client()
        let experimentID = try await client.createExperiment(
            name: TestServer.uniqueName("cli-s3-art"), artifactLocation: "s3://\(bucket)/mlflow", tags: [])
        let runID = try await client.createRun(experimentID: experimentID).info.runID
        let source = try CLIS3Servers.temporaryDirectory()
        let files = ["model/MLmodel": Data("flavors: {}\n".utf8), "model/weights.bin": CLIS3Servers.randomBytes(7 << 20)]
        try CLIS3Servers.write(files, under: source)

        let upload = try await CLIRunner.run(
            ["artifacts", "upload", "--run-id", runID, "--path", source.appendingPathComponent("model").path, "--json"],
            trackingURI: uri, extraEnvironment: s3.environment)
        #expect(upload.status == 0, "\(upload)")
        let stored = try await s3.client().listObjects(bucket: bucket).collect().map(\.key)
        #expect(Set(stored) == ["mlflow/\(runID)/artifacts/model/MLmodel", "mlflow/\(runID)/artifacts/model/weights.bin"])

        let list = try await CLIRunner.run(
            ["artifacts", "ls", "--run-id", runID, "--recursive", "--json"], trackingURI: uri, extraEnvironment: s3.environment)
        let listed = try #require(try list.jsonObject()["artifacts"] as? [[String: Any]])
        #expect(Set(listed.compactMap { $0["path"] as? String }) == ["model/MLmodel", "model/weights.bin"])

        let destination = try CLIS3Servers.temporaryDirectory()
        let download = try await CLIRunner.run(
            ["artifacts", "download", "--run-id", runID, "--artifact-path", "model", "--dst", destination.path],
            trackingURI: uri, extraEnvironment: s3.environment)
        #expect(download.status == 0, "\(download)")
        // The artifact path is kept, as MLflow's download_artifacts lays files out.
        #expect(try Data(contentsOf: destination.appendingPathComponent("model/weights.bin")) == files["model/weights.bin"])

        var wrongSecret = s3.environment
        wrongSecret["AWS_SECRET_ACCESS_KEY"] = "not-the-secret-at-all"
        let refused = try await CLIRunner.run(
            ["artifacts", "ls", "--run-id", runID], trackingURI: uri, extraEnvironment: wrongSecret)
        #expect(refused.status == 7, "\(refused)")
        #expect(!refused.stderr.contains("not-the-secret-at-all"))
    }

    /// The original toolkit's artifact commands, spelled as it spelled them.
    @Test func artifactUploadListAndDownloadRoundTrip() async throws {
        let uri = try TestServer.uri()
        let runID = try await CLIRunner.run(["runs", "create", "--experiment", TestServer.uniqueName("cli-art")], trackingURI: uri)
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let source = FileManager.default.temporaryDirectory.appendingPathComponent("cli-art-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: source.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Data("hello".utf8).write(to: source.appendingPathComponent("a.txt"))
        try Data((0..<100_000).map { UInt8($0 % 251) }).write(to: source.appendingPathComponent("sub/b.bin"))

        let upload = try await CLIRunner.run(
            ["artifact", "upload", "--run-id", runID, "--path", source.path, "--artifact-path", "data", "--json"], trackingURI: uri)
        #expect(upload.status == 0, "\(upload)")
        let uploaded = try #require(try upload.jsonObject()["files"] as? [String])
        #expect(uploaded.count == 2)

        let list = try await CLIRunner.run(["artifacts", "ls", "--run-id", runID, "--recursive", "--json"], trackingURI: uri)
        let listed = try #require(try list.jsonObject()["artifacts"] as? [[String: Any]])
        #expect(Set(listed.compactMap { $0["path"] as? String }) == Set(uploaded))

        let destination = FileManager.default.temporaryDirectory.appendingPathComponent("cli-dl-\(UUID().uuidString.prefix(8))")
        let download = try await CLIRunner.run(
            ["artifact", "download", "--run-id", runID, "--artifact-path", "data", "--dst", destination.path], trackingURI: uri)
        #expect(download.status == 0, "\(download)")
        let name = source.lastPathComponent
        #expect(try Data(contentsOf: destination.appendingPathComponent("data/\(name)/sub/b.bin")) == Data((0..<100_000).map { UInt8($0 % 251) }))

        let missing = try await CLIRunner.run(
            ["artifacts", "download", "--run-id", runID, "--artifact-path", "nope", "--dst", destination.path], trackingURI: uri)
        #expect(missing.status == 3, "\(missing)")
        let escape = try await CLIRunner.run(
            ["artifacts", "download", "--run-id", runID, "--artifact-path", "../../etc", "--dst", destination.path], trackingURI: uri)
        #expect(escape.status == 6, "\(escape)")
    }

    @Test func experimentsLifecycle() async throws {
        let uri = try TestServer.uri()
        let name = TestServer.uniqueName("cli-exp")
        let create = try await CLIRunner.run(
            ["experiments", "create", name, "--tag", "team=swift", "--json"], trackingURI: uri)
        #expect(create.status == 0, "\(create)")
        let id = try #require(try create.jsonObject()["experiment_id"] as? String)

        let show = try await CLIRunner.run(["experiments", "show", name, "--json"], trackingURI: uri)
        let experiment = try show.jsonObject()
        #expect(experiment["experiment_id"] as? String == id && experiment["name"] as? String == name)
        let byID = try await CLIRunner.run(["experiments", "show", id], trackingURI: uri)
        #expect(byID.status == 0 && byID.stdout.contains(name) && byID.stdout.contains("team"), "\(byID)")

        let list = try await CLIRunner.run(
            ["experiments", "list", "--filter", "name = '\(name)'", "--json"], trackingURI: uri)
        let listed = try #require(try list.jsonObject()["experiments"] as? [[String: Any]])
        #expect(listed.map { $0["name"] as? String } == [name])

        let delete = try await CLIRunner.run(["experiments", "delete", id], trackingURI: uri)
        #expect(delete.status == 0, "\(delete)")
        let deleted = try await CLIRunner.run(
            ["experiments", "list", "--view", "deleted", "--filter", "name = '\(name)'"], trackingURI: uri)
        #expect(deleted.stdout.contains(name), "\(deleted)")
        let restore = try await CLIRunner.run(["experiments", "restore", id, "--json"], trackingURI: uri)
        #expect(try restore.jsonObject()["lifecycle_stage"] as? String == "active")

        let duplicate = try await CLIRunner.run(["experiments", "create", name], trackingURI: uri)
        #expect(duplicate.status == 5, "\(duplicate)")
        #expect(
            duplicate.stderr.contains("experiments/create") && duplicate.stderr.split(separator: "\n").count == 1,
            "\(duplicate)")
    }

    @Test func runsLogShowListAndDelete() async throws {
        let fixture = try await makeFixture()
        let runID = fixture.runIDs[0]
        let log = try await mlops(
            [
                "runs", "log", runID, "--metric", "loss=0.5@3", "--metric", "loss=0.25@4", "--param", "lr=0.01",
                "--tag", "note=a=b@c", "--json",
            ],
            fixture)
        #expect(log.status == 0, "\(log)")
        let logged = try log.jsonObject()
        #expect(logged["metrics"] as? Int == 2 && logged["params"] as? Int == 1 && logged["tags"] as? Int == 1)

        let show = try await mlops(["runs", "show", runID, "--json"], fixture)
        let run = try show.jsonObject()
        let data = try #require(run["data"] as? [String: Any])
        let metrics = try #require(data["metrics"] as? [[String: Any]])
        let loss = try #require(metrics.first { $0["key"] as? String == "loss" })
        #expect(loss["value"] as? Double == 0.25 && loss["step"] as? Int == 4)
        #expect(
            (data["params"] as? [[String: Any]])?.contains {
                $0["key"] as? String == "lr" && $0["value"] as? String == "0.01"
            } == true)
        #expect((data["tags"] as? [[String: Any]])?.contains { $0["value"] as? String == "a=b@c" } == true)
        #expect((run["info"] as? [String: Any])?["run_id"] as? String == runID)

        let table = try await mlops(["runs", "show", runID], fixture)
        #expect(table.status == 0 && table.stdout.contains("lr") && table.stdout.contains("loss"), "\(table)")

        let list = try await mlops(["runs", "list", "--experiment", fixture.experiment, "--json"], fixture)
        let runs = try #require(try list.jsonObject()["runs"] as? [[String: Any]])
        #expect(runs.count == 3)
        let limited = try await mlops(
            [
                "runs", "list", "--experiment-id", fixture.experimentID, "--max", "1", "--order-by",
                "metrics.accuracy DESC", "--json",
            ],
            fixture)
        let best = try #require(try limited.jsonObject()["runs"] as? [[String: Any]])
        #expect(best.count == 1)
        #expect((best.first?["info"] as? [String: Any])?["run_id"] as? String == fixture.runIDs[1])
        let filtered = try await mlops(
            ["runs", "list", "--experiment", fixture.experiment, "--filter", "metrics.accuracy < 0.95"], fixture)
        #expect(
            filtered.status == 0 && filtered.stdout.split(separator: "\n").count == 3,
            "header and two runs: \(filtered)")

        let delete = try await mlops(["runs", "delete", runID], fixture)
        #expect(delete.status == 0, "\(delete)")
        let remaining = try await mlops(["runs", "list", "--experiment", fixture.experiment, "--json"], fixture)
        #expect((try remaining.jsonObject()["runs"] as? [Any])?.count == 2)
        let restore = try await mlops(["runs", "restore", runID], fixture)
        #expect(restore.status == 0, "\(restore)")
    }

    @Test func modelsListShowAndVersionsWithAliases() async throws {
        let fixture = try await makeFixture()
        _ = try await mlops(
            ["alias", "set", "--model-name", fixture.model, "--version", "2", "--alias", "Production"], fixture)
        _ = try await mlops(["alias", "set", "--model-name", fixture.model, "--version", "2", "--alias", "Test"], fixture)

        let list = try await mlops(["models", "list", "--filter", "name = '\(fixture.model)'", "--json"], fixture)
        let models = try #require(try list.jsonObject()["registered_models"] as? [[String: Any]])
        #expect(models.map { $0["name"] as? String } == [fixture.model])
        let listTable = try await mlops(["models", "list", "--filter", "name = '\(fixture.model)'"], fixture)
        #expect(listTable.stdout.contains("Production=2, Test=2"), "\(listTable)")

        let show = try await mlops(["models", "show", fixture.model, "--json"], fixture)
        let model = try show.jsonObject()
        #expect(model["description"] as? String == "CLI test model")
        #expect((model["aliases"] as? [[String: Any]])?.count == 2)
        let showTable = try await mlops(["models", "show", fixture.model], fixture)
        #expect(showTable.stdout.contains("CLI test model") && showTable.stdout.contains("Production"), "\(showTable)")

        let versions = try await mlops(["models", "versions", fixture.model, "--json"], fixture)
        let list2 = try #require(try versions.jsonObject()["model_versions"] as? [[String: Any]])
        #expect(list2.map { $0["version"] as? String } == ["3", "2", "1"])
        #expect(list2[1]["aliases"] as? [String] == ["Production", "Test"])
        #expect(list2[0]["aliases"] as? [String] == [])
        let versionsTable = try await mlops(["models", "versions", fixture.model], fixture)
        #expect(versionsTable.stdout.contains("Production, Test"), "\(versionsTable)")
    }

    @Test func everyJSONOutputParses() async throws {
        let fixture = try await makeFixture()
        _ = try await mlops(
            ["alias", "set", "--model-name", fixture.model, "--version", "1", "--alias", "Production"], fixture)
        for arguments in [
            ["alias", "get", "--model-name", fixture.model, "--alias", "Production", "--json"],
            ["alias", "status", "--model-name", fixture.model, "--json"],
            ["experiments", "list", "--max", "2", "--json"],
            ["experiments", "show", fixture.experimentID, "--json"],
            ["runs", "list", "--experiment-id", fixture.experimentID, "--json"],
            ["runs", "show", fixture.runIDs[2], "--json"],
            ["models", "list", "--max", "2", "--json"],
            ["models", "show", fixture.model, "--json"],
            ["models", "versions", fixture.model, "--json"],
        ] {
            let result = try await mlops(arguments, fixture)
            #expect(result.status == 0, "\(result)")
            #expect(throws: Never.self, "\(result)") { _ = try result.jsonObject() }
        }
    }

    @Test func debugLogsRequestsToStandardError() async throws {
        let fixture = try await makeFixture()
        let result = try await mlops(["models", "show", fixture.model, "--debug", "--json"], fixture)
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("registered-models/get"), "\(result)")
        #expect(throws: Never.self) { _ = try result.jsonObject() }
    }
}
