import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An image as `GET /images/{name}/json` describes it (the parts MLOpsKit reads).
public struct DockerImage: Sendable, Hashable, Decodable {
    /// `sha256:…`.
    public var id: String
    public var tags: [String]
    public var labels: [String: String]
    public var size: Int64

    enum CodingKeys: String, CodingKey {
        case id = "Id", tags = "RepoTags", config = "Config", size = "Size"
    }

    struct Config: Decodable { var Labels: [String: String]? }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        tags = try container.decodeIfPresent([String].self, forKey: .tags) ?? []
        labels = try container.decodeIfPresent(Config.self, forKey: .config)?.Labels ?? [:]
        size = try container.decodeIfPresent(Int64.self, forKey: .size) ?? 0
    }
}

/// What an image build produced.
public struct DockerBuildResult: Sendable, Hashable {
    /// The new image's ID (`sha256:…`), when the Engine reported it.
    public var imageID: String?
    /// The build's output lines (the `stream` messages), for people.
    public var output: [String]
}

extension DockerEngineClient {
    /// `GET /images/{name}/json`.
    public func inspectImage(_ name: String) async throws(DockerError) -> DockerImage {
        let response = try await send(.get, "/images/\(Self.segment(name))/json", operation: "inspect image")
        try check(response, operation: "inspect image \(name)")
        return try decode(DockerImage.self, from: response.body, operation: "inspect image")
    }

    /// Whether the Engine has an image called `name` (such as `mlopskit-test-busybox:latest`).
    public func imageExists(_ name: String) async throws(DockerError) -> Bool {
        do {
            _ = try await inspectImage(name)
            return true
        } catch let error where error.isNotFound {
            return false
        }
    }

    /// `DELETE /images/{name}`.
    public func removeImage(_ name: String, force: Bool = false) async throws(DockerError) {
        let response = try await send(
            .delete, "/images/\(Self.segment(name))", query: [("force", force ? "true" : "false")],
            operation: "remove image")
        try check(response, operation: "remove image \(name)")
    }

    /// `POST /build`: builds an image tagged `tag` from a tar build context (a Dockerfile at
    /// `dockerfile` in it, plus the files it copies; ``TarArchive`` writes one). Progress lines are
    /// handed to `progress` as they arrive. A failing step throws ``DockerError/buildFailed(image:message:)``
    /// with the Engine's message.
    public func buildImage(
        tag: String,
        context: TransportRequest.Body,
        dockerfile: String = "Dockerfile",
        labels: [String: String] = [:],
        progress: (@Sendable (String) -> Void)? = nil
    ) async throws(DockerError) -> DockerBuildResult {
        var query: Query = [("t", tag), ("dockerfile", dockerfile), ("rm", "1"), ("forcerm", "1")]
        if !labels.isEmpty { query.append(("labels", Self.json(labels))) }
        let response = try await openStream(
            .post, "/build", query: query, body: context, contentType: "application/x-tar", operation: "build image \(tag)")
        var result = DockerBuildResult(imageID: nil, output: [])
        let failure = try await readProgress(response, operation: "build image \(tag)") { message in
            if let line = message.stream {
                let text = line.trimmingWhitespaceAndNewlines()
                if !text.isEmpty {
                    result.output.append(text)
                    progress?(text)
                }
            }
            if let id = message.aux?.ID { result.imageID = id }
        }
        if let failure { throw .buildFailed(image: tag, message: failure) }
        return result
    }

    /// `POST /images/create?fromSrc=-`: imports a root file system tarball as image `repository:tag`
    /// (what `docker import` does), applying Dockerfile `changes` such as `CMD ["/bin/sh"]`.
    public func importImage(
        repository: String, tag: String = "latest", rootFileSystem: TransportRequest.Body, changes: [String] = []
    ) async throws(DockerError) {
        var query: Query = [("fromSrc", "-"), ("repo", repository), ("tag", tag)]
        for change in changes { query.append(("changes", change)) }
        let response = try await openStream(
            .post, "/images/create", query: query, body: rootFileSystem, contentType: "application/x-tar",
            operation: "import image \(repository):\(tag)")
        if let failure = try await readProgress(response, operation: "import image", onMessage: { _ in }) {
            throw .engine(status: 500, message: failure, operation: "import image \(repository):\(tag)")
        }
    }

    /// One line of build or pull progress.
    struct ProgressMessage: Decodable {
        struct Aux: Decodable { var ID: String? }
        struct ErrorDetail: Decodable { var message: String? }
        var stream: String?
        var status: String?
        var error: String?
        var errorDetail: ErrorDetail?
        var aux: Aux?
    }

    /// Reads a progress stream to its end; returns the error message of an `error` line, if any.
    func readProgress(
        _ response: TransportStreamingResponse, operation: String, onMessage: (ProgressMessage) -> Void
    ) async throws(DockerError) -> String? {
        var splitter = JSONLineSplitter()
        var failure: String?
        let decoder = JSONDecoder()
        func handle(_ line: [UInt8]) {
            guard let message = try? decoder.decode(ProgressMessage.self, from: Data(line)) else { return }
            if let text = message.errorDetail?.message ?? message.error {
                failure = failure ?? text.trimmingWhitespaceAndNewlines()
            }
            onMessage(message)
        }
        do {
            for try await chunk in response.body {
                for line in splitter.feed(chunk) { handle(line) }
            }
        } catch {
            throw mapTransportError(error, operation: operation)
        }
        for line in splitter.finish() { handle(line) }
        return failure
    }
}
