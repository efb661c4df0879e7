import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a tar archive (the format of ``TarArchive``: ustar, with PAX records for long paths and
/// files of 8 GiB or more) to a new file, copying each file added in chunks of ``chunkSize`` bytes, so
/// memory stays at one chunk whatever the size of the model files. Holes of sparse source files stay
/// holes in the archive (found with `SEEK_DATA`/`SEEK_HOLE` where the file system offers them).
///
/// ```swift
/// let writer = try TarFileWriter(creating: contextFile)
/// try writer.addFile("Dockerfile", contents: Data(dockerfile.utf8))
/// try writer.addTree(at: modelDirectory, as: "model")
/// try writer.finish()
/// ```
///
/// Used by one task at a time; the file is created with mode 0600 and never overwritten.
public final class TarFileWriter {
    /// How much of a file is read at a time.
    public static let chunkSize = 1 << 20

    /// The archive being written.
    public let url: URL
    /// The modification time written into every header, in seconds since 1970.
    public let modificationTime: Int
    private var descriptor: Int32
    private let buffer: UnsafeMutableRawBufferPointer

    /// Creates the archive at `url`, which must not exist.
    public init(creating url: URL, modificationTime: Int = 0) throws(TarArchive.Failure) {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .cannotWrite(path: url.path, reason: Self.errorText()) }
        self.url = url
        self.modificationTime = modificationTime
        self.descriptor = descriptor
        self.buffer = .allocate(byteCount: Self.chunkSize, alignment: 16)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        buffer.deallocate()
    }

    /// Adds a regular file with `contents`.
    public func addFile(_ path: String, contents: Data, mode: Int = 0o644) throws(TarArchive.Failure) {
        let name = try TarHeader.normalize(path, directory: false)
        try write(
            TarHeader.blocks(
                name: name, typeFlag: UInt8(ascii: "0"), size: Int64(contents.count), mode: mode,
                modificationTime: modificationTime))
        try write(Array(contents))
        try write([UInt8](repeating: 0, count: TarHeader.padding(Int64(contents.count))))
    }

    /// Adds the regular file at `source` as `path`, copying it in chunks. Its size is taken when it is
    /// opened; bytes appended later are left out, and a file that shrinks throws
    /// ``TarArchive/Failure/fileChanged(path:expected:read:)``.
    public func addFile(_ path: String, copying source: URL, mode: Int = 0o644) throws(TarArchive.Failure) {
        let name = try TarHeader.normalize(path, directory: false)
        let input = open(source.path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw .cannotRead(path: source.path, reason: Self.errorText()) }
        defer { close(input) }
        var status = stat()
        guard fstat(input, &status) == 0 else { throw .cannotRead(path: source.path, reason: Self.errorText()) }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw .cannotRead(path: source.path, reason: "not a regular file")
        }
        let size = Int64(status.st_size)
        try write(
            TarHeader.blocks(
                name: name, typeFlag: UInt8(ascii: "0"), size: size, mode: mode, modificationTime: modificationTime))
        var offset: Int64 = 0
        while offset < size {
            // Skip a hole: seek the archive forward instead of writing zeros.
            let data = Self.nextData(input, from: offset, size: size)
            if data > offset {
                try skip(data - offset)
                offset = data
                continue
            }
            let end = Self.holeStart(input, from: offset, size: size)
            while offset < end {
                let wanted = Int(min(Int64(buffer.count), end - offset))
                let count = pread(input, buffer.baseAddress, wanted, off_t(offset))
                if count < 0 {
                    if errno == EINTR { continue }
                    throw .cannotRead(path: source.path, reason: Self.errorText())
                }
                guard count > 0 else { throw .fileChanged(path: source.path, expected: size, read: offset) }
                try write(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                offset += Int64(count)
            }
        }
        try write([UInt8](repeating: 0, count: TarHeader.padding(size)))
    }

    /// Adds a directory (its path gets a trailing `/`).
    public func addDirectory(_ path: String, mode: Int = 0o755) throws(TarArchive.Failure) {
        let name = try TarHeader.normalize(path, directory: true)
        try write(
            TarHeader.blocks(name: name, typeFlag: UInt8(ascii: "5"), size: 0, mode: mode, modificationTime: modificationTime))
    }

    /// Adds a symbolic link to `target`.
    public func addSymbolicLink(_ path: String, target: String) throws(TarArchive.Failure) {
        let name = try TarHeader.normalize(path, directory: false)
        try write(
            TarHeader.blocks(
                name: name, typeFlag: UInt8(ascii: "2"), size: 0, mode: 0o777, modificationTime: modificationTime,
                linkName: target))
    }

    /// Adds the directory tree at `directory` under `prefix` (such as `model`), with its files' modes.
    /// Symbolic links are kept as links; other special files are skipped.
    public func addTree(at directory: URL, as prefix: String) throws {
        let fileManager = FileManager.default
        try addDirectory(prefix)
        for name in try fileManager.contentsOfDirectory(atPath: directory.path).sorted() {
            let url = directory.appendingPathComponent(name)
            let path = "\(prefix)/\(name)"
            let attributes = try fileManager.attributesOfItem(atPath: url.path)
            let mode = (attributes[.posixPermissions] as? Int) ?? 0o644
            switch attributes[.type] as? FileAttributeType {
            case .typeDirectory?:
                try addTree(at: url, as: path)
            case .typeSymbolicLink?:
                try addSymbolicLink(path, target: try fileManager.destinationOfSymbolicLink(atPath: url.path))
            case .typeRegular?:
                try addFile(path, copying: url, mode: mode)
            default:
                continue
            }
        }
    }

    /// Writes the end marker (two zero blocks) and closes the file.
    public func finish() throws(TarArchive.Failure) {
        try write([UInt8](repeating: 0, count: 1024))
        let result = close(descriptor)
        descriptor = -1
        guard result == 0 else { throw .cannotWrite(path: url.path, reason: Self.errorText()) }
    }

    // MARK: Writing

    private func write(_ bytes: [UInt8]) throws(TarArchive.Failure) {
        var failure: TarArchive.Failure?
        bytes.withUnsafeBytes { buffer in
            do throws(TarArchive.Failure) { try write(buffer) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    private func write(_ bytes: UnsafeRawBufferPointer) throws(TarArchive.Failure) {
        guard descriptor >= 0 else { throw .cannotWrite(path: url.path, reason: "the archive is finished") }
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let count = systemWrite(descriptor, base + done, bytes.count - done)
            if count < 0 {
                if errno == EINTR { continue }
                throw .cannotWrite(path: url.path, reason: Self.errorText())
            }
            done += count
        }
    }

    /// Moves the write position `count` bytes forward, leaving a hole (zeros when read).
    private func skip(_ count: Int64) throws(TarArchive.Failure) {
        guard descriptor >= 0 else { throw .cannotWrite(path: url.path, reason: "the archive is finished") }
        guard lseek(descriptor, off_t(count), SEEK_CUR) >= 0 else {
            throw .cannotWrite(path: url.path, reason: Self.errorText())
        }
    }

    /// Where the next data at or after `offset` starts: `size` when only a hole remains, `offset` when
    /// the file system cannot tell.
    private static func nextData(_ descriptor: Int32, from offset: Int64, size: Int64) -> Int64 {
        let position = lseek(descriptor, off_t(offset), seekData)
        if position < 0 { return errno == ENXIO ? size : offset }
        return min(Int64(position), size)
    }

    /// Where the hole after `offset` starts (`size` at the latest).
    private static func holeStart(_ descriptor: Int32, from offset: Int64, size: Int64) -> Int64 {
        let position = lseek(descriptor, off_t(offset), seekHole)
        if position <= offset { return size }
        return min(Int64(position), size)
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }

    // lseek's whence values for holes; glibc declares them only under _GNU_SOURCE.
    #if canImport(Darwin)
    private static let seekData = SEEK_DATA
    private static let seekHole = SEEK_HOLE
    #else
    private static let seekData: Int32 = 3
    private static let seekHole: Int32 = 4
    #endif
}

/// write(2), under a name the writer's own `write` methods do not shadow.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
