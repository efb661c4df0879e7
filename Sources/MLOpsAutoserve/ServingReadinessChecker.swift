import MLOpsServing
import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Decides whether a new serving instance may take traffic: `GET /ping` answers 200 and, when the model
/// has an input example, `POST /invocations` with it answers 200 too. `mlflow models serve` loads the
/// model before it answers at all, so `/ping` alone says little; the smoke invocation proves the model
/// can predict.
public struct ServingReadinessChecker: Sendable {
    public let transport: any HTTPTransport
    public var policy: ReadinessPolicy
    /// What the timeout and the pauses between probes are measured with.
    public var clock: ServingClock

    public init(transport: any HTTPTransport, policy: ReadinessPolicy = ReadinessPolicy(), clock: ServingClock = .system) {
        self.transport = transport
        self.policy = policy
        self.clock = clock
    }

    /// Probes `endpoint` until it is ready or ``ReadinessPolicy/timeout`` passes.
    ///
    /// - Parameters:
    ///   - inputExample: the model's `serving_input_example.json`, sent once `/ping` answers.
    ///   - exitReason: asked between probes; a non-`nil` answer (the instance exited) ends the wait at
    ///     once with that reason.
    public func waitUntilReady(
        endpoint: URL,
        inputExample: Data?,
        exitReason: @Sendable () async -> String?
    ) async throws(ReadinessFailure) {
        let deadline = clock.now + policy.timeout
        var lastProblem = "no answer yet"
        while true {
            if Task.isCancelled { throw ReadinessFailure(reason: .cancelled, message: "the rollout was cancelled") }
            switch await ping(endpoint) {
            case .success:
                guard let inputExample else { return }
                try await smokeTest(endpoint, example: inputExample)
                return
            case .failure(let problem):
                lastProblem = problem.description
            }
            if let reason = await exitReason() {
                throw ReadinessFailure(reason: .instanceExited, message: "the model server exited before it was ready: \(reason)")
            }
            if clock.now >= deadline {
                throw ReadinessFailure(
                    reason: .timeout,
                    message: "GET /ping did not answer 200 within \(policy.timeout) (last: \(lastProblem))")
            }
            try? await clock.sleep(for: policy.interval)
        }
    }

    /// One `GET /ping`.
    public func ping(_ endpoint: URL) async -> Result<Void, ProbeProblem> {
        let request = TransportRequest(
            method: .get, url: endpoint.appendingPathComponent("ping"),
            responseDestination: .memory(limit: 64 << 10), timeout: policy.requestTimeout, operationName: "serving/ping")
        do {
            let response = try await transport.send(request)
            return response.status == 200 ? .success(()) : .failure(ProbeProblem("HTTP \(response.status)"))
        } catch {
            return .failure(ProbeProblem("\(error)"))
        }
    }

    private func smokeTest(_ endpoint: URL, example: Data) async throws(ReadinessFailure) {
        var headers = TransportHeaders()
        headers["Content-Type"] = "application/json"
        let request = TransportRequest(
            method: .post, url: endpoint.appendingPathComponent("invocations"), headers: headers, body: .bytes(example),
            responseDestination: .memory(limit: 16 << 20), timeout: max(policy.requestTimeout, .seconds(60)),
            isIdempotent: true, operationName: "serving/invocations")
        let response: TransportResponse
        do {
            response = try await transport.send(request)
        } catch {
            throw ReadinessFailure(reason: .smokeTestFailed, message: "POST /invocations with the input example failed: \(error)")
        }
        guard response.status == 200 else {
            let body = String(decoding: response.body.prefix(300), as: UTF8.self)
            throw ReadinessFailure(
                reason: .smokeTestFailed,
                message: "POST /invocations with the input example answered HTTP \(response.status): \(body)")
        }
    }
}

/// Why a probe failed, in words.
public struct ProbeProblem: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Why a new instance was not switched to.
public struct ReadinessFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The reasons, as status conditions name them.
    public enum Reason: String, Sendable, Equatable {
        case timeout = "ReadinessTimeout"
        case instanceExited = "FailedToLoad"
        case smokeTestFailed = "SmokeTestFailed"
        case cancelled = "Cancelled"
    }

    public var reason: Reason
    public var message: String

    public init(reason: Reason, message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { "\(reason.rawValue): \(message)" }
}
