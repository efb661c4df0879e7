// The Swift side of the benchmark harness (scripts/bench). Each mode does one measured job and prints
// one JSON object on stdout.
//
//   MLOpsKitBench log-metrics COUNT      log COUNT values through BatchingRunLogger to the MLflow server
//                                        named by MLFLOW_TRACKING_URI, and count them on the server
//   MLOpsKitBench parse-list --file F --iterations N
//   MLOpsKitBench s3-list --bucket B --prefix P
//                                        list every key under P through S3Client (server from
//                                        MLOPSKIT_BENCH_S3_URL, _ACCESS_KEY, _SECRET_KEY, _REGION)
//   MLOpsKitBench s3-upload --file F --bucket B --key K
//                                        upload F through S3Client.uploadFile (same server)
//                                        decode the ListObjectsV2 body in F N times (after one warm-up)
//   MLOpsKitBench autoserve-resync --aliases A,B --resyncs N [--counter URL]
//                                        N times what one autoserve resync asks of the registry named by
//                                        MLFLOW_TRACKING_URI: RegistrySnapshotReader.read() and the
//                                        desired state; requests counted by the relay at URL
//   MLOpsKitBench digest --algorithm sha256|md5 --mebibytes N
//                                        hash N MiB (a 1 MiB buffer N times, after one warm-up MiB)
//                                        with the library's Digest: throughput without I/O
//   MLOpsKitBench noop                   start, print, exit: the baseline for peak-RSS growth
//   MLOpsKitBench modes                  the modes above, one per line (the harness checks for a mode)
import Foundation
import MLOpsKit

@main
struct MLOpsKitBench {
    static let usage = """
        usage: MLOpsKitBench log-metrics COUNT
               MLOpsKitBench parse-list --file FILE --iterations N
               MLOpsKitBench s3-list --bucket BUCKET --prefix PREFIX
               MLOpsKitBench s3-upload --file FILE --bucket BUCKET --key KEY
               MLOpsKitBench autoserve-resync --aliases A,B --resyncs N [--counter URL]
               MLOpsKitBench digest --algorithm sha256|md5 --mebibytes N
               MLOpsKitBench noop
               MLOpsKitBench modes

        """

    /// Every mode `main` handles, as `modes` lists them.
    static let modes = ["log-metrics", "parse-list", "s3-list", "s3-upload", "autoserve-resync", "digest", "noop", "modes"]

    static func main() async throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let mode = arguments.first else { fail(usage) }
        let rest = Array(arguments.dropFirst())
        switch mode {
        case "log-metrics":
            let count = Int(rest.first ?? "") ?? 100_000
            let client = try ConfigurationLoader.load().makeMLflowClient()
            try await logMetrics(count: count, client: client)
        case "parse-list":
            let options = Options(rest, allowed: ["--file", "--iterations"])
            try parseList(file: options.require("--file"), iterations: options.int("--iterations", default: 200))
        case "s3-list":
            let options = Options(rest, allowed: ["--bucket", "--prefix"])
            try await s3List(bucket: options.require("--bucket"), prefix: options.values["--prefix"] ?? "")
        case "s3-upload":
            let options = Options(rest, allowed: ["--file", "--bucket", "--key"])
            try await s3Upload(
                file: options.require("--file"), bucket: options.require("--bucket"), key: options.require("--key"))
        case "autoserve-resync":
            let options = Options(rest, allowed: ["--aliases", "--resyncs", "--counter"])
            let aliases = options.require("--aliases").split(separator: ",").map(String.init)
            let counter = try options.values["--counter"].map { try RequestCounter(url: $0) }
            try await autoserveResync(
                aliases: aliases, resyncs: options.int("--resyncs", default: 4), counter: counter,
                client: try ConfigurationLoader.load().makeMLflowClient())
        case "digest":
            let options = Options(rest, allowed: ["--algorithm", "--mebibytes"])
            let algorithm: Digest.Algorithm
            switch options.values["--algorithm"] ?? "sha256" {
            case "sha256": algorithm = .sha256
            case "md5": algorithm = .md5
            case let other: fail("unknown --algorithm \(other) (sha256 or md5)\n")
            }
            try digest(algorithm: algorithm, mebibytes: options.int("--mebibytes", default: 512))
        case "noop":
            try emit(["seconds": 0.0])
        case "modes":
            print(modes.joined(separator: "\n"))
        default:
            fail("unknown mode \(mode)\n" + usage)
        }
    }

    // MARK: digest

    static func digest(algorithm: Digest.Algorithm, mebibytes: Int) throws {
        guard mebibytes > 0 else { fail("--mebibytes must be positive\n") }
        let buffer = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        _ = Digest.hash(algorithm, buffer)  // warm-up: library loading, page faults
        let clock = ContinuousClock()
        var hash: [UInt8] = []
        let elapsed = clock.measure {
            var digest = Digest(algorithm)
            buffer.withUnsafeBytes { bytes in
                for _ in 0..<mebibytes { digest.update(bytes) }
            }
            hash = digest.finalize()
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        try emit([
            "mebibytes": mebibytes, "seconds": seconds, "mib_per_second": Double(mebibytes) / seconds,
            "hash": hash.map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined(),
        ])
    }

    // MARK: log-metrics

    static func logMetrics(count: Int, client: MLflowClient) async throws {
        let experimentName = "bench-swift-logger"
        let experimentID: String
        do {
            experimentID = try await client.getExperiment(name: experimentName).experimentID
        } catch let error as MLflowError where error.isNotFound {
            experimentID = try await client.createExperiment(name: experimentName, artifactLocation: nil, tags: [])
        }
        let run = try await client.createRun(experimentID: experimentID, runName: "swift-\(count)")
        let clock = ContinuousClock()
        let started = clock.now
        let logger = BatchingRunLogger(store: client, runID: run.info.runID)
        for step in 0..<count {
            try await logger.log(metric: "loss", value: 1 / Double(step + 1), step: Int64(step))
        }
        try await logger.finish()
        let elapsed = clock.now - started
        var stored = 0
        for try await _ in client.metricHistory(runID: run.info.runID, key: "loss") { stored += 1 }
        try emit([
            "points": count, "stored": stored, "seconds": seconds(elapsed), "requests": logger.statistics.requests,
            "run_id": run.info.runID,
        ])
    }

    // MARK: parse-list

    /// Decodes one ListObjectsV2 body `iterations` times through the public `ListObjectsV2Page(xml:)`,
    /// timing each decode on its own. The checksum (objects, UTF-8 bytes of all keys, sum of sizes) is
    /// taken from every decode, so none can be skipped, and lets the harness check that both sides read
    /// the same page.
    static func parseList(file: String, iterations: Int) throws {
        guard iterations > 0 else { fail("--iterations must be positive\n") }
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        _ = try ListObjectsV2Page(xml: data)  // warm-up: libxml2 set-up, page faults
        let clock = ContinuousClock()
        var times: [Double] = []
        times.reserveCapacity(iterations)
        var objects = 0
        var keyBytes = 0
        var totalSize: Int64 = 0
        for _ in 0..<iterations {
            let started = clock.now
            let page = try ListObjectsV2Page(xml: data)
            times.append(seconds(clock.now - started))
            objects += page.objects.count
            for object in page.objects {
                keyBytes += object.key.utf8.count
                totalSize += object.size
            }
        }
        let sorted = times.sorted()
        let middle = sorted.count / 2
        let median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        try emit([
            "iterations": iterations,
            "bytes": data.count,
            "seconds": times.reduce(0, +),
            "median_s": median,
            "min_s": sorted[0],
            // Per decode, identical on every iteration.
            "objects": objects / iterations,
            "key_bytes": keyBytes / iterations,
            "total_size": totalSize / Int64(iterations),
        ])
    }

    // MARK: s3-list, s3-upload

    /// The client of the S3 benchmarks: the server named by MLOPSKIT_BENCH_S3_URL, _ACCESS_KEY,
    /// _SECRET_KEY and _REGION (as Benchmarks/python/s3_common.py reads them), path-style addressing,
    /// everything else the library's defaults.
    static func s3ClientFromEnvironment() throws -> S3Client {
        let environment = ProcessInfo.processInfo.environment
        func variable(_ name: String) -> String? {
            environment["MLOPSKIT_BENCH_S3_" + name].flatMap { $0.isEmpty ? nil : $0 }
        }
        guard let text = variable("URL"), let url = URL(string: text) else { fail("set MLOPSKIT_BENCH_S3_URL\n") }
        guard let accessKey = variable("ACCESS_KEY"), let secretKey = variable("SECRET_KEY") else {
            fail("set MLOPSKIT_BENCH_S3_ACCESS_KEY and MLOPSKIT_BENCH_S3_SECRET_KEY\n")
        }
        let endpoint = try S3Endpoint(
            url: url, region: variable("REGION") ?? S3Endpoint.defaultRegion, addressingStyle: .path)
        let credentials = StaticCredentialProvider(
            AWSCredentials(accessKeyID: accessKey, secretAccessKey: secretKey), sourceName: "MLOPSKIT_BENCH_S3_ACCESS_KEY")
        // Tuning knobs for experiments; the reported results use the library's defaults.
        var configuration = S3Client.Configuration()
        if let value = variable("PAYLOAD_SIGNING").flatMap(S3Client.PayloadSigning.init(rawValue:)) {
            configuration.payloadSigning = value
        }
        if let value = variable("CONCURRENCY").flatMap(Int.init) { configuration.concurrency = value }
        if let value = variable("PART_MIB").flatMap(Int64.init) { configuration.partSize = value << 20 }
        return S3Client(endpoint: endpoint, credentials: credentials, configuration: configuration)
    }

    /// Lists every key under `prefix` (1,000 a page) and prints the count and the seconds from the
    /// first request to the last page (client creation excluded, as on the boto3 side).
    static func s3List(bucket: String, prefix: String) async throws {
        let client = try s3ClientFromEnvironment()
        let clock = ContinuousClock()
        let started = clock.now
        var count = 0
        for try await _ in client.listObjects(bucket: bucket, prefix: prefix.isEmpty ? nil : prefix) { count += 1 }
        try emit(["count": count, "seconds": seconds(clock.now - started)])
    }

    /// Uploads `file` (multipart above the client's threshold) and prints its size and the seconds the
    /// upload took (client creation excluded, as on the boto3 side).
    static func s3Upload(file: String, bucket: String, key: String) async throws {
        let client = try s3ClientFromEnvironment()
        let url = URL(fileURLWithPath: file)
        let clock = ContinuousClock()
        let started = clock.now
        let result = try await client.uploadFile(at: url, bucket: bucket, key: key)
        try emit(["bytes": result.size, "parts": result.partCount ?? 1, "seconds": seconds(clock.now - started)])
    }

    // MARK: autoserve-resync

    /// Runs `resyncs` resyncs in a row in one process, as a long-running agent does every poll interval,
    /// and reports each: the registry requests the relay counted, wall time, and the process's CPU time
    /// (user + system, all threads) from `getrusage` around the resync, and split into reading the
    /// snapshot and working out the desired state. The first one includes the
    /// process's one-time costs (connections, first allocations); the harness reports it apart.
    static func autoserveResync(aliases: [String], resyncs: Int, counter: RequestCounter?, client: MLflowClient)
        async throws
    {
        guard resyncs > 0 else { fail("--resyncs must be positive\n") }
        let reader = RegistrySnapshotReader(registry: client)
        let clock = ContinuousClock()
        var rows: [[String: Any]] = []
        var keys = 0
        var versionSum = 0
        var models = 0
        for _ in 0..<resyncs {
            let before = try await counter?.total()
            let cpuBefore = cpuSeconds()
            let started = clock.now
            let snapshot = try await reader.read()
            let cpuRead = cpuSeconds()
            let desired = snapshot.desiredServing(aliases: aliases)
            let elapsed = clock.now - started
            let cpuAfter = cpuSeconds()
            let cpu = cpuAfter - cpuBefore
            let after = try await counter?.total()
            keys = desired.versions.count
            versionSum = desired.versions.values.reduce(0) { $0 + (Int($1) ?? 0) }
            models = snapshot.models.count
            var row: [String: Any] = [
                "seconds": seconds(elapsed), "cpu_s": cpu, "reported_requests": snapshot.requestCount,
                "read_cpu_s": cpuRead - cpuBefore, "desired_cpu_s": cpuAfter - cpuRead,
            ]
            if let before, let after { row["requests"] = after - before }
            rows.append(row)
        }
        try emit(["resyncs": rows, "keys": keys, "version_sum": versionSum, "models": models])
    }

    /// User plus system CPU seconds of this process so far, every thread included.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func value(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return value(usage.ru_utime) + value(usage.ru_stime)
    }

    /// Reads the request count of the harness's counting relay (Benchmarks/python/counting_relay.py).
    struct RequestCounter {
        let url: URL
        let transport = CurlTransport()

        init(url text: String) throws {
            guard let url = URL(string: text) else { fail("bad --counter URL\n") }
            self.url = url
        }

        func total() async throws -> Int {
            let response = try await transport.send(TransportRequest(url: url))
            let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
            guard response.status == 200, let total = object?["total"] as? Int else {
                fail("the request counter at \(url) did not answer\n")
            }
            return total
        }
    }

    // MARK: Helpers

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func emit(_ object: [String: Any]) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data(message.utf8))
        exit(2)
    }

    /// `--name value` pairs; every name must be one of `allowed`.
    struct Options {
        var values: [String: String] = [:]

        init(_ arguments: [String], allowed: Set<String>) {
            var index = 0
            while index < arguments.count {
                let name = arguments[index]
                guard allowed.contains(name), index + 1 < arguments.count else {
                    fail("unexpected or incomplete option \(name)\n" + usage)
                }
                values[name] = arguments[index + 1]
                index += 2
            }
        }

        func require(_ name: String) -> String {
            guard let value = values[name] else { fail("missing \(name)\n" + usage) }
            return value
        }

        func int(_ name: String, default fallback: Int) -> Int {
            guard let text = values[name] else { return fallback }
            guard let value = Int(text) else { fail("\(name) must be a whole number\n") }
            return value
        }
    }
}
