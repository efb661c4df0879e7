import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The header blocks of one tar entry, shared by ``TarArchive`` (in memory) and ``TarFileWriter`` (to
/// a file): a ustar header, preceded by a PAX extended header (type `x`, POSIX.1-2001) when a value
/// does not fit ustar's fields: a size of 8 GiB or more (`size=`), a path that cannot be split into
/// ustar's prefix and name (`path=`), a link target over 100 bytes (`linkpath=`).
enum TarHeader {
    /// The largest size ustar's 12-byte octal field holds: 8 GiB - 1.
    static let ustarMaximumSize: Int64 = 0o77777777777

    /// `path` made relative and checked (no leading `/`, no `..`, not empty); directories end with `/`.
    static func normalize(_ path: String, directory: Bool) throws(TarArchive.Failure) -> String {
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
        if directory, !name.hasSuffix("/") { name += "/" }
        return name
    }

    /// The blocks (a multiple of 512 bytes) that precede an entry's data.
    static func blocks(
        name: String, typeFlag: UInt8, size: Int64, mode: Int, modificationTime: Int, linkName: String = ""
    ) throws(TarArchive.Failure) -> [UInt8] {
        guard size >= 0 else { throw .invalidPath(name) }
        guard !linkName.utf8.contains(0) else { throw .invalidLinkTarget(linkName) }
        var records: [(String, String)] = []
        var prefix = ""
        var shortName = name
        if let split = split(name) {
            (prefix, shortName) = split
        } else {
            records.append(("path", name))
            shortName = String(decoding: Array(name.utf8).suffix(100), as: UTF8.self)
        }
        var ustarSize = size
        if size > ustarMaximumSize {
            records.append(("size", String(size)))
            ustarSize = 0
        }
        var ustarLink = linkName
        if linkName.utf8.count > 100 {
            records.append(("linkpath", linkName))
            ustarLink = ""
        }
        let header = ustar(
            name: shortName, prefix: prefix, typeFlag: typeFlag, size: ustarSize, mode: mode,
            modificationTime: modificationTime, linkName: ustarLink)
        guard !records.isEmpty else { return header }
        let body = paxRecords(records)
        var result = ustar(
            name: "PaxHeaders/" + String(decoding: Array(shortName.utf8).suffix(89), as: UTF8.self), prefix: "",
            typeFlag: UInt8(ascii: "x"), size: Int64(body.count), mode: 0o644, modificationTime: modificationTime,
            linkName: "")
        result.append(contentsOf: body)
        result.append(contentsOf: [UInt8](repeating: 0, count: padding(Int64(body.count))))
        result.append(contentsOf: header)
        return result
    }

    /// Zero bytes after `size` bytes of data, to the next 512-byte boundary.
    static func padding(_ size: Int64) -> Int { Int((512 - size % 512) % 512) }

    /// PAX records: `"<length> <key>=<value>\n"`, where the length counts the whole record, its own
    /// digits included.
    static func paxRecords(_ records: [(String, String)]) -> [UInt8] {
        var result: [UInt8] = []
        for (key, value) in records {
            let rest = " \(key)=\(value)\n".utf8.count
            var length = rest + 1
            while String(length).utf8.count + rest != length { length = String(length).utf8.count + rest }
            result.append(contentsOf: "\(length) \(key)=\(value)\n".utf8)
        }
        return result
    }

    /// Splits `path` into ustar's prefix (≤ 155 bytes) and name (≤ 100 bytes) at a `/`, or nil.
    static func split(_ path: String) -> (prefix: String, name: String)? {
        let bytes = Array(path.utf8)
        if bytes.count <= 100 { return ("", path) }
        // The name part must fit in 100 bytes; a trailing "/" of a directory counts.
        let searchEnd = path.hasSuffix("/") ? bytes.count - 1 : bytes.count
        for index in stride(from: searchEnd - 1, through: 0, by: -1) where bytes[index] == UInt8(ascii: "/") {
            let prefixLength = index
            let nameLength = bytes.count - index - 1
            if prefixLength <= 155 && nameLength <= 100 && nameLength > 0 {
                return (
                    String(decoding: bytes[..<index], as: UTF8.self),
                    String(decoding: bytes[(index + 1)...], as: UTF8.self)
                )
            }
            if nameLength > 100 { break }
        }
        return nil
    }

    /// One 512-byte ustar header; every value must fit its field.
    private static func ustar(
        name: String, prefix: String, typeFlag: UInt8, size: Int64, mode: Int, modificationTime: Int,
        linkName: String
    ) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int, width: Int) {
            for (index, byte) in text.utf8.prefix(width).enumerated() { header[offset + index] = byte }
        }
        func putOctal(_ value: Int64, at offset: Int, width: Int) {
            // width - 1 octal digits, zero-padded, then NUL.
            let digits = String(max(0, value), radix: 8)
            put(String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits, at: offset, width: width - 1)
        }
        put(name, at: 0, width: 100)
        putOctal(Int64(mode & 0o7777), at: 100, width: 8)
        putOctal(0, at: 108, width: 8)  // uid
        putOctal(0, at: 116, width: 8)  // gid
        putOctal(size, at: 124, width: 12)
        putOctal(min(Int64(modificationTime), ustarMaximumSize), at: 136, width: 12)
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
        return header
    }
}
