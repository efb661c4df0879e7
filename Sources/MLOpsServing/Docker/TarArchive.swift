import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Writes a POSIX tar archive in memory: the build context of an image (a Dockerfile and the files it
/// copies) or a root file system to import. For model files, which may be large, ``TarFileWriter``
/// writes the same format to a file, reading each file in chunks.
///
/// Entries are written in the order they are added, as ustar headers. Paths are relative
/// (`model/MLmodel`); a path longer than 100 bytes is split into the header's prefix and name fields,
/// and a path that cannot be split, a link target over 100 bytes or a file of 8 GiB or more gets a PAX
/// extended header (`path`, `linkpath`, `size` records) before its ustar header. Owner and group are 0,
/// times are `modificationTime`.
public struct TarArchive: Sendable {
    /// What an entry is.
    public enum Kind: Sendable, Hashable {
        case file(Data)
        case directory
        case symbolicLink(target: String)
    }

    /// Why an entry cannot be written.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The path is absolute, empty, climbs with `..` or holds a NUL byte.
        case invalidPath(String)
        /// The link target holds a NUL byte.
        case invalidLinkTarget(String)
        /// A file to add could not be read (``TarFileWriter``).
        case cannotRead(path: String, reason: String)
        /// The archive could not be written (``TarFileWriter``).
        case cannotWrite(path: String, reason: String)
        /// A file to add shrank while it was being copied (``TarFileWriter``): the header already
        /// promised its first size.
        case fileChanged(path: String, expected: Int64, read: Int64)

        public var description: String {
            switch self {
            case .invalidPath(let path): "tar path must be relative and non-empty: \(path)"
            case .invalidLinkTarget(let target): "tar link target holds a NUL byte: \(target)"
            case .cannotRead(let path, let reason): "cannot read \(path) into the tar archive: \(reason)"
            case .cannotWrite(let path, let reason): "cannot write the tar archive \(path): \(reason)"
            case .fileChanged(let path, let expected, let read):
                "\(path) shrank while it was archived: \(read) of \(expected) bytes"
            }
        }
    }

    public private(set) var data = Data()
    /// The modification time written into every header, in seconds since 1970.
    public var modificationTime: Int

    public init(modificationTime: Int = 0) {
        self.modificationTime = modificationTime
    }

    /// Adds a regular file.
    public mutating func addFile(_ path: String, contents: Data, mode: Int = 0o644) throws(Failure) {
        try add(path, kind: .file(contents), mode: mode)
    }

    /// Adds a directory (its path gets a trailing `/`).
    public mutating func addDirectory(_ path: String, mode: Int = 0o755) throws(Failure) {
        try add(path, kind: .directory, mode: mode)
    }

    /// Adds a symbolic link to `target`.
    public mutating func addSymbolicLink(_ path: String, target: String) throws(Failure) {
        try add(path, kind: .symbolicLink(target: target), mode: 0o777)
    }

    /// Adds an entry.
    public mutating func add(_ path: String, kind: Kind, mode: Int) throws(Failure) {
        var isDirectory = false
        if case .directory = kind { isDirectory = true }
        let name = try TarHeader.normalize(path, directory: isDirectory)
        let header: [UInt8]
        switch kind {
        case .file(let contents):
            header = try TarHeader.blocks(
                name: name, typeFlag: UInt8(ascii: "0"), size: Int64(contents.count), mode: mode,
                modificationTime: modificationTime)
        case .directory:
            header = try TarHeader.blocks(
                name: name, typeFlag: UInt8(ascii: "5"), size: 0, mode: mode, modificationTime: modificationTime)
        case .symbolicLink(let target):
            guard !target.utf8.contains(0) else { throw .invalidLinkTarget(target) }
            header = try TarHeader.blocks(
                name: name, typeFlag: UInt8(ascii: "2"), size: 0, mode: mode, modificationTime: modificationTime,
                linkName: target)
        }
        data.append(contentsOf: header)
        if case .file(let contents) = kind {
            data.append(contents)
            data.append(contentsOf: [UInt8](repeating: 0, count: TarHeader.padding(Int64(contents.count))))
        }
    }

    /// The archive with its end marker (two zero blocks).
    public func finished() -> Data {
        var result = data
        result.append(contentsOf: [UInt8](repeating: 0, count: 1024))
        return result
    }
}

