#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Writes a POSIX ustar archive in memory: the build context of an image (a Dockerfile and the files
/// it copies) or a root file system to import.
///
/// Entries are written in the order they are added. Paths are relative (`model/MLmodel`); a path longer
/// than 100 bytes is split into the header's prefix and name fields (at most 155 + 100 bytes). Owner
/// and group are 0, times are `modificationTime`.
public struct TarArchive: Sendable {
    /// What an entry is.
    public enum Kind: Sendable, Hashable {
        case file(Data)
        case directory
        case symbolicLink(target: String)
    }

    /// Why an entry cannot be written.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case pathTooLong(String)
        case linkTargetTooLong(String)
        case invalidPath(String)

        public var description: String {
            switch self {
            case .pathTooLong(let path): "tar path too long for ustar: \(path)"
            case .linkTargetTooLong(let target): "tar link target longer than 100 bytes: \(target)"
            case .invalidPath(let path): "tar path must be relative, non-empty, without .. and NUL: \(path)"
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
        // Checked on bytes, as tar readers see the path: `../\u{301}x` is the Characters `.`, `.`,
        // `/\u{301}` and `x`, but its first component is `..`. A NUL would end the name early.
        var bytes = Array(path.utf8)[...]
        while bytes.starts(with: "./".utf8) { bytes = bytes.dropFirst(2) }
        guard !bytes.isEmpty, bytes.first != UInt8(ascii: "/"), !bytes.contains(0),
            !bytes.split(separator: UInt8(ascii: "/")).contains(where: { $0.elementsEqual("..".utf8) })
        else {
            throw .invalidPath(path)
        }
        var name = String(decoding: bytes, as: UTF8.self)
        if case .directory = kind, !name.hasSuffix("/") { name += "/" }
        let (prefix, shortName) = try Self.split(name)

        var header = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int, width: Int) {
            for (index, byte) in text.utf8.prefix(width).enumerated() { header[offset + index] = byte }
        }
        func putOctal(_ value: Int, at offset: Int, width: Int) {
            // width - 1 octal digits, zero-padded, then NUL.
            let digits = String(value, radix: 8)
            put(String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits, at: offset, width: width - 1)
        }

        var size = 0
        var typeFlag: UInt8 = UInt8(ascii: "0")
        var linkName = ""
        switch kind {
        case .file(let contents): size = contents.count
        case .directory: typeFlag = UInt8(ascii: "5")
        case .symbolicLink(let target):
            guard target.utf8.count <= 100 else { throw .linkTargetTooLong(target) }
            guard !target.utf8.contains(0) else { throw .invalidPath(target) }
            typeFlag = UInt8(ascii: "2")
            linkName = target
        }
        put(shortName, at: 0, width: 100)
        putOctal(mode & 0o7777, at: 100, width: 8)
        putOctal(0, at: 108, width: 8)  // uid
        putOctal(0, at: 116, width: 8)  // gid
        putOctal(size, at: 124, width: 12)
        putOctal(modificationTime, at: 136, width: 12)
        header[156] = typeFlag
        put(linkName, at: 157, width: 100)
        put("ustar", at: 257, width: 6)  // "ustar\0"
        put("00", at: 263, width: 2)
        put("root", at: 265, width: 32)
        put("root", at: 297, width: 32)
        put(prefix, at: 345, width: 155)
        // The checksum is computed with its own field as eight spaces.
        for index in 148..<156 { header[index] = UInt8(ascii: " ") }
        let checksum = header.reduce(0) { $0 + Int($1) }
        let digits = String(checksum, radix: 8)
        put(String(repeating: "0", count: max(0, 6 - digits.count)) + digits, at: 148, width: 6)
        header[154] = 0
        header[155] = UInt8(ascii: " ")

        data.append(contentsOf: header)
        if case .file(let contents) = kind {
            data.append(contents)
            let padding = (512 - contents.count % 512) % 512
            data.append(contentsOf: [UInt8](repeating: 0, count: padding))
        }
    }

    /// The archive with its end marker (two zero blocks).
    public func finished() -> Data {
        var result = data
        result.append(contentsOf: [UInt8](repeating: 0, count: 1024))
        return result
    }

    /// Splits `path` into ustar's prefix (≤ 155 bytes) and name (≤ 100 bytes) at a `/`.
    static func split(_ path: String) throws(Failure) -> (prefix: String, name: String) {
        let bytes = Array(path.utf8)
        if bytes.count <= 100 { return ("", path) }
        // The name part must fit in 100 bytes; a trailing "/" of a directory counts.
        let searchEnd = path.hasSuffix("/") ? bytes.count - 1 : bytes.count
        for index in stride(from: searchEnd - 1, through: 0, by: -1) where bytes[index] == UInt8(ascii: "/") {
            let prefixLength = index
            let nameLength = bytes.count - index - 1
            if prefixLength <= 155 && nameLength <= 100 && nameLength > 0 {
                return (String(decoding: bytes[..<index], as: UTF8.self), String(decoding: bytes[(index + 1)...], as: UTF8.self))
            }
            if nameLength > 100 { break }
        }
        throw .pathTooLong(path)
    }
}

extension TarArchive {
    /// Adds the directory tree at `directory` under `prefix` (such as `model`), with its files' modes.
    /// Symbolic links are kept as links; other special files are skipped.
    public mutating func addTree(at directory: URL, as prefix: String) throws {
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
                try addFile(path, contents: try Data(contentsOf: url), mode: mode)
            default:
                continue
            }
        }
    }
}
