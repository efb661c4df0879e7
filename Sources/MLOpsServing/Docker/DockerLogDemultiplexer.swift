import MLOpsCore

/// Splits the Engine's multiplexed log stream (a container without a TTY) into its stdout and stderr
/// pieces.
///
/// Each frame is an 8-byte header — the stream (0 stdin, 1 stdout, 2 stderr), three zero bytes, and
/// the payload length as a big-endian 32-bit integer — followed by the payload. Bytes can be fed in
/// pieces of any size, as they come off the connection.
public struct DockerLogDemultiplexer: Sendable {
    /// One frame's payload and where it came from.
    public struct Frame: Sendable, Hashable {
        public enum Stream: UInt8, Sendable, Hashable {
            case stdin = 0
            case stdout = 1
            case stderr = 2
        }
        public var stream: Stream
        public var payload: [UInt8]

        public init(stream: Stream, payload: [UInt8]) {
            self.stream = stream
            self.payload = payload
        }
    }

    private var buffer: [UInt8] = []

    public init() {}

    /// Adds `bytes` and returns every frame now complete.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Frame] {
        buffer.append(contentsOf: bytes)
        var frames: [Frame] = []
        var offset = 0
        while buffer.count - offset >= 8 {
            let length = Int(buffer[offset + 4]) << 24 | Int(buffer[offset + 5]) << 16
                | Int(buffer[offset + 6]) << 8 | Int(buffer[offset + 7])
            guard buffer.count - offset - 8 >= length else { break }
            let stream = Frame.Stream(rawValue: buffer[offset]) ?? .stdout
            frames.append(Frame(stream: stream, payload: Array(buffer[(offset + 8)..<(offset + 8 + length)])))
            offset += 8 + length
        }
        buffer.removeFirst(offset)
        return frames
    }

    /// Bytes of a frame not yet complete.
    public var pendingByteCount: Int { buffer.count }

    /// Demultiplexes a whole log body, keeping stdout and stderr interleaved as written.
    public static func demultiplex(_ bytes: [UInt8]) -> [Frame] {
        var demultiplexer = DockerLogDemultiplexer()
        return demultiplexer.feed(bytes)
    }
}
