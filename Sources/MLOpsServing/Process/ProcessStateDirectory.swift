import MLOpsCore
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

/// The process runtime's state directory: `<id>.json` per instance (written atomically: a temporary
/// file, then `rename`), `<id>.log` per instance, and `lock`.
struct ProcessStateDirectory: Sendable {
    let path: String

    init(path: String) throws(ProcessServingRuntimeError) {
        self.path = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        do {
            try FileManager.default.createDirectory(
                atPath: self.path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .stateDirectoryUnusable(path: self.path, reason: "\(error)")
        }
    }

    func recordPath(_ id: String) -> String { "\(path)/\(id).json" }
    func logPath(_ id: String) -> String { "\(path)/\(id).log" }

    /// Takes the directory's exclusive lock, records this process in it and returns the descriptor
    /// that holds it (closing it releases the lock).
    ///
    /// A lock that is held is tried again for up to `wait` (blocking the calling thread): one that is
    /// being released is taken, such as the lock of a runtime that just closed while a child process
    /// forked at that moment still shares its descriptor until it executes its program.
    func lock(wait: Duration, clock: ServingClock) throws(ProcessServingRuntimeError) -> Int32 {
        let lockPath = "\(path)/lock"
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw .stateDirectoryUnusable(path: path, reason: "cannot open its lock file: \(SystemError.text(errno))")
        }
        let deadline = clock.now + wait
        var locked = flock(descriptor, LOCK_EX | LOCK_NB) == 0
        while !locked && errno == EWOULDBLOCK && clock.now < deadline {
            usleep(20_000)
            locked = flock(descriptor, LOCK_EX | LOCK_NB) == 0
        }
        guard locked else {
            let code = errno
            let owner = SystemFile.read(lockPath).flatMap { Int32(String(decoding: $0.filter { $0 != UInt8(ascii: "\n") }, as: UTF8.self)) }
            close(descriptor)
            if code == EWOULDBLOCK {
                throw .stateDirectoryLocked(path: path, ownerProcessID: owner)
            }
            throw .stateDirectoryUnusable(path: path, reason: "cannot lock it: \(SystemError.text(code))")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        return descriptor
    }

    /// Every record in the directory; files that do not decode are skipped and named in `unreadable`.
    func loadAll() throws(ProcessServingRuntimeError) -> (records: [ProcessInstanceRecord], unreadable: [String]) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw .stateDirectoryUnusable(path: path, reason: "cannot list it: \(error)")
        }
        var records: [ProcessInstanceRecord] = []
        var unreadable: [String] = []
        for name in names.sorted() where name.hasSuffix(".json") && !name.hasPrefix(".") {
            let id = String(name.dropLast(5))
            if let record = load(id) { records.append(record) } else { unreadable.append(name) }
        }
        return (records, unreadable)
    }

    /// The record of `id`, or `nil` when there is none (or it does not decode).
    func load(_ id: String) -> ProcessInstanceRecord? {
        guard Self.isValidID(id), let data = SystemFile.read(recordPath(id)) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let record = try? decoder.decode(ProcessInstanceRecord.self, from: Data(data)), record.id == id else {
            return nil
        }
        return record
    }

    /// Writes the record atomically, readable by its owner only.
    func save(_ record: ProcessInstanceRecord) throws(ServingRuntimeError) {
        let data: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            data = try encoder.encode(record)
        } catch {
            throw .failed(operation: "save \(record.id)", reason: "\(error)")
        }
        let temporary = "\(path)/.\(record.id).json.\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw .unavailable("cannot write to \(path): \(SystemError.text(errno))")
        }
        let written = data.withUnsafeBytes { SystemFile.writeAll(descriptor, $0) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written, synced, rename(temporary, recordPath(record.id)) == 0 else {
            let code = errno
            unlink(temporary)
            throw .unavailable("cannot write \(recordPath(record.id)): \(SystemError.text(code))")
        }
    }

    /// Deletes the record and, when `log`, the instance's log.
    func delete(_ id: String, log: Bool) {
        unlink(recordPath(id))
        if log {
            unlink(logPath(id))
            unlink(Self.rotatedLogPath(logPath(id)))
        }
    }

    /// Where a log's previous part goes when it is rotated: `<log>.1`.
    static func rotatedLogPath(_ logPath: String) -> String { logPath + ".1" }

    /// Rotates the log at `logPath` when it holds more than `maxBytes`: its content is copied to
    /// `<log>.1` (replacing the part kept before) and the log is then emptied in place. The model
    /// server keeps the same open file, appending (`O_APPEND`) from its new start, so this works for
    /// adopted instances too; what it writes between the copy and the truncation (a few milliseconds)
    /// is lost. Returns whether it rotated.
    static func rotateLog(_ logPath: String, maxBytes: Int64) throws(LogRotationFailure) -> Bool {
        var status = stat()
        guard stat(logPath, &status) == 0, Int64(status.st_size) > maxBytes else { return false }
        func failure(_ what: String) -> LogRotationFailure {
            LogRotationFailure(path: logPath, reason: "\(what): \(SystemError.text(errno))")
        }
        let log = open(logPath, O_RDWR | O_CLOEXEC)
        guard log >= 0 else { throw failure("cannot open it") }
        defer { close(log) }
        let rotated = rotatedLogPath(logPath)
        let partial = rotated + ".partial"
        let copy = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard copy >= 0 else { throw failure("cannot create \(partial)") }
        var copyOpen = true
        defer { if copyOpen { close(copy); unlink(partial) } }
        let chunkSize = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        guard let base = buffer.baseAddress else { throw failure("no memory") }
        var offset: off_t = 0
        while true {
            let count = pread(log, base, chunkSize, offset)
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("cannot read it")
            }
            if count == 0 { break }
            var written = 0
            while written < count {
                let done = write(copy, base + written, count - written)
                if done < 0 {
                    if errno == EINTR { continue }
                    throw failure("cannot write \(partial)")
                }
                written += done
            }
            offset += off_t(count)
        }
        copyOpen = false
        guard close(copy) == 0 else {
            unlink(partial)
            throw failure("cannot write \(partial)")
        }
        guard rename(partial, rotated) == 0 else {
            unlink(partial)
            throw failure("cannot rename \(partial) to \(rotated)")
        }
        guard ftruncate(log, 0) == 0 else { throw failure("cannot empty it") }
        return true
    }

    /// Why a log could not be rotated; the runtime logs it and tries again at its next look.
    struct LogRotationFailure: Error, Sendable, Equatable, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String { "cannot rotate the log \(path): \(reason)" }
    }

    /// Instance IDs are lower-case hexadecimal: nothing else may become a path in the directory.
    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64 && id.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    /// A new random instance ID: 16 hexadecimal digits.
    static func newID() -> String {
        let value = UInt64.random(in: 0...UInt64.max)
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
