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
import ArgumentParser
import MLOpsKit

/// `mlops health`: the stack's "Service Health" table, from the same configuration as every command.
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Check that the stack's services are up.",
        discussion: """
            Checks MLflow (/health), Airflow (/api/v2/monitor/health, or /health on Airflow 2, read as \
            JSON: both answer 200 when unhealthy), MinIO (/minio/health/live; another S3 server counts \
            when it answers S3), Prometheus (/-/healthy), Loki (/ready) and Grafana (/api/health) at the \
            configured URLs (MLFLOW_TRACKING_URI, AIRFLOW_BASE_URL, MLFLOW_S3_ENDPOINT_URL, \
            PROMETHEUS_URL / LOKI_URL / GRAFANA_URL or 127.0.0.1 on their *_PORT), all at once, each \
            with its own time limit.

            Exits with status 4 when a required service is down (--require; MLflow by default), 0 \
            otherwise. With --wait it checks again every 2 seconds until the required services are up \
            or --wait-timeout passes (120 seconds by default).

            With --json: {"services": [{"name", "url", "up", "required", "latency_seconds", "detail"}], \
            "required_up": true|false}.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(
        name: .customLong("services"),
        help: ArgumentHelp("The services to check, comma-separated.", valueName: "names"),
        transform: HealthCommand.names)
    var services: [String] = HealthCommand.allServices

    @Option(
        name: .customLong("require"),
        help: ArgumentHelp("The services whose being down fails the check, comma-separated ('all' for every one checked).", valueName: "names"),
        transform: HealthCommand.names)
    var required: [String] = ["mlflow"]

    @Flag(name: .customLong("wait"), help: "Check again until the required services are up or --wait-timeout passes.")
    var wait = false

    // Not --timeout: that is every command's HTTP time limit (MLOPS_HTTP_TIMEOUT_SECONDS).
    @Option(name: .customLong("wait-timeout"), help: ArgumentHelp("Seconds --wait may take.", valueName: "seconds"))
    var timeout: Double = 120

    @Option(name: .customLong("probe-timeout"), help: ArgumentHelp("Seconds each probe may take.", valueName: "seconds"))
    var probeTimeout: Double = 3

    static let allServices = ["mlflow", "airflow", "minio", "prometheus", "loki", "grafana"]

    /// `--services` with `all` expanded.
    var selectedServices: [String] { services.contains("all") ? Self.allServices : services }

    /// `--require` with `all` expanded to the services checked.
    var requiredServices: [String] { required.contains("all") ? selectedServices : required }

    static func names(_ text: String) throws -> [String] {
        let names = try ArgumentParsing.list(text, flag: "--services/--require").map { $0.lowercased() }
        for name in names where name != "all" && !allServices.contains(name) {
            throw ValidationError("unknown service '\(name)'; expected some of \(allServices.joined(separator: ", "))")
        }
        return names
    }

    func validate() throws {
        guard timeout > 0, timeout <= 86_400 else { throw ValidationError("--wait-timeout must be between 0 and 86400 seconds.") }
        guard probeTimeout > 0, probeTimeout <= 300 else {
            throw ValidationError("--probe-timeout must be between 0 and 300 seconds.")
        }
        if let stray = requiredServices.first(where: { !selectedServices.contains($0) }) {
            throw ValidationError("--require names '\(stray)', which --services does not check.")
        }
    }

    /// The JSON shape.
    struct Output: Encodable {
        var services: [HealthResult]
        var requiredUp: Bool

        enum CodingKeys: String, CodingKey {
            case services
            case requiredUp = "required_up"
        }
    }

    func run() async throws {
        let configuration = try options.loadConfiguration()
        let checks = try configuration
            .healthChecks(required: Set(requiredServices), timeout: .milliseconds(Int64(probeTimeout * 1000)))
            .filter { selectedServices.contains($0.name.lowercased()) }
        let checker = HealthChecker(transport: CurlTransport(configuration: configuration.transportConfiguration))
        let report: HealthReport
        if wait {
            let interactive = !options.json && isatty(STDERR_FILENO) == 1
            report = try await checker.waitUntilRequiredServicesAreUp(
                checks, timeout: .milliseconds(Int64(timeout * 1000))
            ) { round in
                guard interactive, !round.requiredServicesAreUp else { return }
                let waiting = round.requiredServicesDown.map(\.name).joined(separator: ", ")
                StandardError.write("waiting for \(waiting)…\n")
            }
        } else {
            report = await checker.check(checks)
        }
        if options.json {
            try JSONOutput.print(Output(services: report.results, requiredUp: report.requiredServicesAreUp))
        } else {
            StandardOutput.write(Self.table(report))
        }
        guard report.requiredServicesAreUp else {
            let down = report.requiredServicesDown.map { "\($0.name) (\($0.detail))" }.joined(separator: ", ")
            throw CLIError(.unreachable, "required service\(report.requiredServicesDown.count == 1 ? "" : "s") down: \(down)")
        }
    }

    /// The table people know from the stack's "Service Health" dashboard.
    static func table(_ report: HealthReport) -> String {
        var table = TableRenderer(headers: ["SERVICE", "URL", "STATUS", "LATENCY", "DETAIL"])
        for result in report.results {
            let latency = result.latencySeconds.map { "\(Int(($0 * 1000).rounded())) ms" } ?? "-"
            let status = result.isUp ? "UP" : (result.isRequired ? "DOWN" : "down")
            table.append([result.name, result.url, status, latency, result.detail])
        }
        return table.render()
    }
}
