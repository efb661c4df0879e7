#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Where the structured log handlers write their lines.
public protocol LogLineOutput: Sendable {
    /// Writes one complete line (with its line feed).
    func write(line: String)
}

/// A file descriptor, standard error by default. Each line goes out in one piece: concurrent loggers
/// never interleave within a line.
public final class FileDescriptorLogOutput: LogLineOutput {
    /// Standard error.
    public static let standardError = FileDescriptorLogOutput(descriptor: 2)

    public let descriptor: Int32
    private let lock = Mutex(())

    public init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Whether the descriptor is a terminal (people read it, so plain text suits it better than JSON).
    public var isTerminal: Bool { isatty(descriptor) == 1 }

    public func write(line: String) {
        var bytes = Array(line.utf8)
        lock.withLock { _ in
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeMutableBytes { buffer in
                    systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                }
                if written < 0 {
                    if errno == EINTR { continue }
                    return  // a closed descriptor: the line is lost, and nothing else can be done
                }
                offset += written
            }
        }
    }
}

/// Collects lines in memory, for tests.
public final class MemoryLogOutput: LogLineOutput {
    private let storage = Mutex<[String]>([])

    public init() {}

    /// The lines written so far, without their line feeds.
    public var lines: [String] {
        storage.withLock { $0 }.map { $0.hasSuffix("\n") ? String($0.dropLast()) : $0 }
    }

    public func write(line: String) {
        storage.withLock { $0.append(line) }
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Musl)
private let systemWrite = Musl.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif
