import MLOpsCore
import MLOpsMLflow
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension DockerEngineClient {
    /// `GET /containers/json?all=true` filtered by labels: every container, running or not, that
    /// carries all of `labels`.
    public func containers(labels: [String: String] = [:], all: Bool = true) async throws(DockerError) -> [DockerContainerSummary] {
        var query: Query = [("all", all ? "true" : "false")]
        if !labels.isEmpty {
            let filters = ["label": labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }]
            query.append(("filters", Self.json(filters)))
        }
        let response = try await send(.get, "/containers/json", query: query, operation: "list containers")
        try check(response, operation: "list containers")
        return try decode([DockerContainerSummary].self, from: response.body, operation: "list containers")
    }

    /// `POST /containers/create`: creates (does not start) a container and returns its ID.
    public func createContainer(_ spec: DockerContainerSpec) async throws(DockerError) -> String {
        struct Created: Decodable { var Id: String }
        let body: Data
        do {
            body = try JSONEncoder().encode(spec.wire)
        } catch {
            throw .invalidResponse(operation: "create container", reason: "cannot encode the spec")
        }
        let response = try await send(
            .post, "/containers/create", query: [("name", spec.name)], body: .bytes(body),
            contentType: "application/json", operation: "create container \(spec.name)")
        try check(response, operation: "create container \(spec.name)")
        return try decode(Created.self, from: response.body, operation: "create container").Id
    }

    /// `POST /containers/{id}/start`. Starting a running container succeeds (the Engine's 304).
    public func startContainer(_ id: String) async throws(DockerError) {
        let response = try await send(.post, "/containers/\(Self.segment(id))/start", operation: "start container")
        try check(response, operation: "start container", allowing: [304])
    }

    /// `POST /containers/{id}/stop?t=…`: SIGTERM (or the image's stop signal), SIGKILL after `grace`.
    /// Stopping a stopped container succeeds (the Engine's 304).
    public func stopContainer(_ id: String, grace: Duration) async throws(DockerError) {
        let seconds = Self.wholeSeconds(grace)
        let response = try await send(
            .post, "/containers/\(Self.segment(id))/stop", query: [("t", String(seconds))],
            timeout: configuration.requestTimeout + .seconds(seconds), operation: "stop container")
        try check(response, operation: "stop container", allowing: [304])
    }

    /// `POST /containers/{id}/kill`: sends `signal` (`SIGKILL` unless told). Throws a 409
    /// ``DockerError/engine(status:message:operation:)`` when the container does not run.
    public func killContainer(_ id: String, signal: String = "SIGKILL") async throws(DockerError) {
        let response = try await send(
            .post, "/containers/\(Self.segment(id))/kill", query: [("signal", signal)], operation: "kill container")
        try check(response, operation: "kill container")
    }

    /// `DELETE /containers/{id}`: removes a container; `force` kills it first when it runs.
    /// Anonymous volumes go with it.
    public func removeContainer(_ id: String, force: Bool = false) async throws(DockerError) {
        let response = try await send(
            .delete, "/containers/\(Self.segment(id))", query: [("force", force ? "true" : "false"), ("v", "true")],
            operation: "remove container")
        try check(response, operation: "remove container")
    }

    /// `POST /containers/{id}/rename?name=…`. A name in use is a 409
    /// ``DockerError/engine(status:message:operation:)``.
    public func renameContainer(_ id: String, to name: String) async throws(DockerError) {
        let response = try await send(
            .post, "/containers/\(Self.segment(id))/rename", query: [("name", name)], operation: "rename container")
        try check(response, operation: "rename container")
    }

    /// `GET /containers/{id}/json`. `id` may also be a name.
    public func inspectContainer(_ id: String) async throws(DockerError) -> DockerContainer {
        let response = try await send(.get, "/containers/\(Self.segment(id))/json", operation: "inspect container")
        try check(response, operation: "inspect container")
        return try decode(DockerContainer.self, from: response.body, operation: "inspect container")
    }

    /// A path segment: container IDs and names never need encoding, but a caller's string might.
    static func segment(_ text: String) -> String { PercentEncoding.encode(text) }

    /// `duration` in whole seconds, rounded up, at least 0.
    static func wholeSeconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        return Int(seconds) + (attoseconds > 0 ? 1 : 0)
    }
}
