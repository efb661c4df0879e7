import MLOpsCore

extension DockerEngineClient {
    /// `GET /containers/{id}/logs`: what the container wrote to stdout and stderr, in order, the last
    /// `tail` lines (all when `nil`). The frames of a container without a TTY are demultiplexed.
    public func logs(_ id: String, tail: Int? = nil) async throws(DockerError) -> String {
        let container = try await inspectContainer(id)
        let response = try await send(
            .get, "/containers/\(Self.segment(id))/logs",
            query: [("stdout", "1"), ("stderr", "1"), ("tail", tail.map { String(max(0, $0)) } ?? "all")],
            operation: "container logs")
        try check(response, operation: "container logs")
        let bytes = Array(response.body)
        if container.tty { return String(decoding: bytes, as: UTF8.self) }
        let payload = DockerLogDemultiplexer.demultiplex(bytes).flatMap(\.payload)
        return String(decoding: payload, as: UTF8.self)
    }

    /// `GET /containers/{id}/logs?follow=1`: the container's output as it is written, starting with the
    /// last `tail` lines (none when 0, all when `nil`). The stream ends when the container stops; cancel
    /// the consuming task to stop following earlier.
    public func followLogs(_ id: String, tail: Int? = 0) async throws(DockerError) -> AsyncThrowingStream<DockerLogDemultiplexer.Frame, any Error> {
        let container = try await inspectContainer(id)
        let response = try await openStream(
            .get, "/containers/\(Self.segment(id))/logs",
            query: [("stdout", "1"), ("stderr", "1"), ("follow", "1"), ("tail", tail.map { String(max(0, $0)) } ?? "all")],
            operation: "follow container logs")
        let tty = container.tty
        return AsyncThrowingStream { continuation in
            let task = Task {
                var demultiplexer = DockerLogDemultiplexer()
                do {
                    for try await chunk in response.body {
                        if tty {
                            continuation.yield(.init(stream: .stdout, payload: chunk))
                        } else {
                            for frame in demultiplexer.feed(chunk) { continuation.yield(frame) }
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: self.mapTransportError(error, operation: "follow container logs"))
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
