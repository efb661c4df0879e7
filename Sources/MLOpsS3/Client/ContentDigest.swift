import MLOpsCore
import CMLOpsKitChecksum

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

/// The MD5 (for `Content-MD5` and ETags), SHA-256 (for signed payloads) and CRC-32C (for
/// `x-amz-checksum-crc32c`) of some bytes, each when asked for, computed in one pass.
struct ContentDigest: Sendable, Hashable {
    /// The raw 16-byte MD5, when asked for.
    var md5: [UInt8]?
    /// The raw 32-byte SHA-256, when asked for.
    var sha256: [UInt8]?

    var md5Base64: String? { md5.map { Data($0).base64EncodedString() } }
    var md5Hex: String? { md5.map { SigV4Encoding.hex($0) } }
    var sha256Hex: String? { sha256.map { SigV4Encoding.hex($0) } }
    /// The CRC-32C, when asked for.
    var crc32c: UInt32?
    /// The CRC-32C as S3 writes it: the four big-endian bytes, base64-encoded.
    var crc32cBase64: String? {
        crc32c.map { value in Data([24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) }).base64EncodedString() }
    }

    /// How much of a file is read at a time while hashing.
    static let chunkSize = 1 << 20

    static func of(_ data: Data, md5: Bool = true, sha256: Bool, crc32c: Bool = false) -> ContentDigest {
        ContentDigest(
            md5: md5 ? Digest.hash(.md5, data) : nil,
            sha256: sha256 ? Digest.hash(.sha256, data) : nil,
            crc32c: crc32c ? data.withUnsafeBytes { mlopskit_crc32c(0, $0.baseAddress, $0.count) } : nil)
    }

    /// The digests of `length` bytes of `file` from `offset`.
    ///
    /// - Throws: ``S3TransferError`` when the file cannot be read or is shorter than the region.
    static func of(
        file: URL, offset: Int64, length: Int64, md5: Bool = true, sha256: Bool, crc32c: Bool = false
    ) throws(S3TransferError) -> ContentDigest {
        let descriptor = open(file.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotRead(file, reason: S3TransferError.systemError) }
        defer { close(descriptor) }
        var md5Hasher = md5 ? Digest(.md5) : nil
        var shaHasher = sha256 ? Digest(.sha256) : nil
        var crc: UInt32? = crc32c ? 0 : nil
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var done: Int64 = 0
        while done < length {
            let wanted = Int(min(Int64(chunkSize), length - done))
            let count = pread(descriptor, buffer.baseAddress, wanted, off_t(offset + done))
            if count < 0 {
                if errno == EINTR { continue }
                throw .cannotRead(file, reason: S3TransferError.systemError)
            }
            guard count > 0 else {
                throw .cannotRead(file, reason: "the file ended after \(offset + done) bytes; expected \(offset + length)")
            }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            md5Hasher?.update(chunk)
            shaHasher?.update(chunk)
            crc = crc.map { mlopskit_crc32c($0, chunk.baseAddress, chunk.count) }
            done += Int64(count)
        }
        return ContentDigest(md5: md5Hasher?.finalize(), sha256: shaHasher?.finalize(), crc32c: crc)
    }

    /// The ETag S3 gives an object completed from parts with these MD5s: the MD5 of the concatenated
    /// part MD5s, then `-` and the number of parts.
    static func multipartETag(partMD5s: [[UInt8]]) -> String {
        var md5 = Digest(.md5)
        for part in partMD5s { md5.update(part) }
        return SigV4Encoding.hex(md5.finalize()) + "-\(partMD5s.count)"
    }
}
