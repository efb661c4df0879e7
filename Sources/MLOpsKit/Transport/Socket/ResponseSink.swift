#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where a response body goes, as ``TransportRequest/ResponseDestination`` says: memory with a limit, a
/// file that appears atomically only for a complete 2xx response, or a region of an existing file.
/// A response that is not 2xx is kept in memory (up to 1 MiB) instead, so its error document can be read.
struct ResponseSink {
    enum Failure: Error {
        case tooLarge(Int)
        case localFile(String)
    }

    private enum Target {
        case memory(limit: Int)
        case file(descriptor: Int32, temporaryPath: String, finalPath: String)
        case region(descriptor: Int32, offset: Int64)
    }

    private let destination: TransportRequest.ResponseDestination
    private var target: Target?
    private var bytes: [UInt8] = []

    init(destination: TransportRequest.ResponseDestination) {
        self.destination = destination
    }

    /// Chooses the target once the status is known.
    mutating func begin(status: Int) throws(Failure) {
        let success = (200..<300).contains(status)
        switch destination {
        case .memory(let limit):
            target = .memory(limit: limit)
        case .file(let url) where success:
            let temporaryPath = url.path + ".part-\(UInt32.random(in: .min ... .max))"
            let descriptor = posixOpen(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC)
            guard descriptor >= 0 else { throw .localFile("cannot create \(url.lastPathComponent): \(posixErrorText())") }
            target = .file(descriptor: descriptor, temporaryPath: temporaryPath, finalPath: url.path)
        case .fileRegion(let url, let offset) where success:
            let descriptor = posixOpen(url.path, O_WRONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw .localFile("cannot open \(url.lastPathComponent): \(posixErrorText())") }
            target = .region(descriptor: descriptor, offset: offset)
        case .file, .fileRegion:
            target = .memory(limit: 1 << 20)
        }
    }

    mutating func write(_ chunk: [UInt8]) throws(Failure) {
        switch target {
        case .memory(let limit):
            guard bytes.count + chunk.count <= limit else { throw .tooLarge(limit) }
            bytes.append(contentsOf: chunk)
        case nil:
            throw .localFile("a body arrived before the head")
        case .file(let descriptor, _, _):
            try Self.writeAll(chunk, to: descriptor, at: nil)
        case .region(let descriptor, let offset):
            try Self.writeAll(chunk, to: descriptor, at: offset)
            target = .region(descriptor: descriptor, offset: offset + Int64(chunk.count))
        }
    }

    /// Ends a complete response: the file is moved into place; returns what was kept in memory.
    mutating func complete() throws(Failure) -> Data {
        switch target {
        case .file(let descriptor, let temporaryPath, let finalPath):
            target = nil
            let synced = fsync(descriptor) == 0
            close(descriptor)
            guard synced, rename(temporaryPath, finalPath) == 0 else {
                let reason = posixErrorText()
                unlink(temporaryPath)
                throw .localFile("cannot write \(finalPath.split(separator: "/").last.map(String.init) ?? finalPath): \(reason)")
            }
        case .region(let descriptor, _):
            target = nil
            close(descriptor)
        default:
            break
        }
        return Data(bytes)
    }

    /// Removes what an incomplete response left: the temporary file, open descriptors.
    mutating func discard() {
        switch target {
        case .file(let descriptor, let temporaryPath, _):
            close(descriptor)
            unlink(temporaryPath)
        case .region(let descriptor, _):
            close(descriptor)
        default:
            break
        }
        target = nil
    }

    private static func writeAll(_ chunk: [UInt8], to descriptor: Int32, at offset: Int64?) throws(Failure) {
        var written = 0
        while written < chunk.count {
            let count = chunk.withUnsafeBytes { buffer in
                let start = buffer.baseAddress! + written
                return offset.map { pwrite(descriptor, start, chunk.count - written, off_t($0 + Int64(written))) }
                    ?? posixWrite(descriptor, start, chunk.count - written)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw .localFile("cannot write the response: \(posixErrorText())")
            }
            written += count
        }
    }
}

/// `write(2)`, out of reach of ``ResponseSink``'s method of the same name.
private func posixWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
