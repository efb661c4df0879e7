import MLOpsCore
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Checks services concurrently, each with its own timeout, and can wait until the required ones are up.
///
/// ```swift
/// let checker = HealthChecker(transport: CurlTransport())
/// let report = await checker.check(try configuration.healthChecks())
/// for result in report.results { print(result.name, result.isUp ? "UP" : "DOWN", result.detail) }
/// let ready = try await checker.waitUntilRequiredServicesAreUp(checks, timeout: .seconds(120))
/// ```
///
/// A check never throws: a service that cannot be reached, answers an error or answers "unhealthy" is
/// reported DOWN with the reason.
public struct HealthChecker: Sendable {
    /// What sends the probes. Give it a plain transport: a check is one attempt, repeated by
    /// ``waitUntilRequiredServicesAreUp(_:timeout:interval:progress:)`` if asked.
    public let transport: any HTTPTransport

    /// A checker sending its probes through `transport`.
    public init(transport: any HTTPTransport = CurlTransport()) {
        self.transport = transport
    }

    /// Runs every check at once and returns the results in the order of `checks`.
    public func check(_ checks: [HealthCheck]) async -> HealthReport {
        let results = await withTaskGroup(of: (Int, HealthResult).self) { group in
            for (index, check) in checks.enumerated() {
                group.addTask { (index, await self.check(check)) }
            }
            var results = [HealthResult?](repeating: nil, count: checks.count)
            for await (index, result) in group { results[index] = result }
            return results.compactMap { $0 }
        }
        return HealthReport(results: results)
    }

    /// Runs one check.
    public func check(_ check: HealthCheck) async -> HealthResult {
        let clock = ContinuousClock()
        let started = clock.now
        var url = check.url
        var verdict: Verdict
        do {
            var response = try await get(url, timeout: check.timeout)
            if check.probe == .airflow, response.status == 404 {
                // Airflow 2 has no /api/v2: its health is at /health.
                url = HealthCheck.url(check.baseURL, path: "/health")
                response = try await get(url, timeout: check.timeout)
            }
            if check.probe == .s3, response.status == 404 || response.status == 403 || response.status == 400 {
                // Not MinIO: any S3 server answers its root, if only to refuse an anonymous request.
                url = check.baseURL
                response = try await get(url, timeout: check.timeout)
            }
            verdict = Self.interpret(response, probe: check.probe, airflowVersion: url.path.contains("/api/v2") ? 3 : 2)
        } catch let error as HTTPTransportError {
            verdict = .down(Self.describe(error, timeout: check.timeout))
        } catch {
            verdict = .down("\(error)")
        }
        let elapsed = clock.now - started
        let latency = verdict.answered ? Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18 : nil
        return HealthResult(
            name: check.name, url: Redaction.redact(url), isUp: verdict.isUp, isRequired: check.isRequired,
            latencySeconds: latency, detail: verdict.detail)
    }

    /// Checks until every required service is up or `timeout` has passed, waiting `interval` between
    /// rounds, and returns the last report (check ``HealthReport/requiredServicesAreUp``).
    ///
    /// - Parameter progress: Called with each round's report.
    /// - Throws: `CancellationError` when the task is cancelled.
    public func waitUntilRequiredServicesAreUp(
        _ checks: [HealthCheck], timeout: Duration, interval: Duration = .seconds(2),
        progress: (@Sendable (HealthReport) -> Void)? = nil
    ) async throws -> HealthReport {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let report = await check(checks)
            progress?(report)
            let remaining = deadline - clock.now
            if report.requiredServicesAreUp || remaining <= .zero { return report }
            try await Task.sleep(for: min(interval, remaining))
        }
    }

    // MARK: Reading answers

    /// What a probe concluded.
    struct Verdict: Equatable {
        var isUp: Bool
        var detail: String
        /// Whether the service answered at all (for the latency column).
        var answered = true

        static func up(_ detail: String) -> Verdict { Verdict(isUp: true, detail: detail) }
        static func down(_ detail: String, answered: Bool = false) -> Verdict {
            Verdict(isUp: false, detail: detail, answered: answered)
        }
    }

    private func get(_ url: URL, timeout: Duration) async throws -> TransportResponse {
        try await transport.send(
            TransportRequest(url: url, responseDestination: .memory(limit: 1 << 20), timeout: timeout, operationName: "health"))
    }

    /// The verdict a response stands for under `probe`.
    static func interpret(_ response: TransportResponse, probe: HealthCheck.Probe, airflowVersion: Int = 3) -> Verdict {
        let status = response.status
        switch probe {
        case .airflow:
            guard response.isSuccess else { return .down("HTTP \(status)", answered: true) }
            guard let components = try? JSONDecoder().decode([String: AirflowComponent?].self, from: response.body) else {
                return .down("HTTP \(status), not Airflow's health JSON", answered: true)
            }
            let essential = ["metadatabase", "scheduler"]
            let unhealthy = essential.filter { (components[$0] ?? nil)?.status != "healthy" }
            let optional = components.keys.filter { !essential.contains($0) }.sorted().filter {
                guard let status = (components[$0] ?? nil)?.status else { return false }  // not running: fine
                return status != "healthy"
            }
            if !unhealthy.isEmpty {
                return .down(unhealthy.map { "\($0) \((components[$0] ?? nil)?.status ?? "missing")" }.joined(separator: ", "), answered: true)
            }
            let note = optional.isEmpty ? "" : "; " + optional.map { "\($0) unhealthy" }.joined(separator: ", ")
            return .up("metadatabase and scheduler healthy (Airflow \(airflowVersion))\(note)")
        case .grafana:
            guard response.isSuccess else { return .down("HTTP \(status)", answered: true) }
            let health = try? JSONDecoder().decode(GrafanaHealth.self, from: response.body)
            guard let database = health?.database else { return .down("HTTP \(status), not Grafana's health JSON", answered: true) }
            return database == "ok" ? .up("database ok") : .down("database \(database)", answered: true)
        case .s3:
            if response.isSuccess { return .up("OK") }
            // An S3 error document from the root: a live S3 server refusing an anonymous request.
            let text = response.bodyText
            if [400, 403, 405].contains(status), text.contains("<Error>") || text.contains("<Code>") {
                return .up("answers S3 (HTTP \(status) to an anonymous request)")
            }
            return .down("HTTP \(status)", answered: true)
        case .mlflow, .prometheus, .loki, .modelServer, .http:
            guard response.isSuccess else {
                let excerpt = ResponseExcerpt.excerpt(of: response.bodyText)
                return .down(excerpt.isEmpty ? "HTTP \(status)" : "HTTP \(status): \(excerpt.prefix(80))", answered: true)
            }
            let text = response.bodyText.trimmingWhitespaceAndNewlines()
            return .up(text.isEmpty || text.count > 40 ? "OK" : text)
        }
    }

    static func describe(_ error: HTTPTransportError, timeout: Duration) -> String {
        switch error.code {
        case .couldNotConnect: "connection refused"
        case .couldNotResolveHost: "host not found"
        case .timedOut, .tooSlow: "timed out after \(timeout.formattedSeconds)"
        case .tls: "TLS error"
        case .connectionLost: "connection closed without an answer"
        default: "\(error.code)"
        }
    }

    private struct AirflowComponent: Decodable {
        var status: String?
    }

    private struct GrafanaHealth: Decodable {
        var database: String?
    }
}
