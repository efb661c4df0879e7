internal import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// MD5, SHA-256 and HMAC-SHA256 through swift-crypto (BoringSSL's implementations, compiled into the
/// program), so hashing and signing need no system library and cannot fail at run time.
///
/// ```swift
/// var digest = Digest(.sha256)
/// digest.update(bytes)
/// let hash = digest.finalize()      // 32 bytes
/// ```
///
/// A value is used by one task at a time; create one per hash. Visible to the package (not public) so
/// that the benchmark driver can time it.
package struct Digest {
    /// The algorithms available.
    package enum Algorithm: Sendable {
        case md5
        case sha256
    }

    // One of the two is set, the other nil; optionals so that `update` mutates the hasher in place
    // (a hasher copied out of an enum payload would copy its context on every update).
    private var md5: Insecure.MD5?
    private var sha256: SHA256?

    /// A digest in progress.
    package init(_ algorithm: Algorithm) {
        switch algorithm {
        case .md5: md5 = Insecure.MD5()
        case .sha256: sha256 = SHA256()
        }
    }

    /// Adds `bytes` to the digest.
    package mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        md5?.update(bufferPointer: bytes)
        sha256?.update(bufferPointer: bytes)
    }

    /// Adds `bytes` to the digest.
    package mutating func update(_ bytes: some DataProtocol) {
        for region in bytes.regions {
            region.withUnsafeBytes { update($0) }
        }
    }

    /// The digest of everything added.
    package consuming func finalize() -> [UInt8] {
        if let md5 { return Array(md5.finalize()) }
        if let sha256 { return Array(sha256.finalize()) }
        return []
    }

    /// The digest of `bytes`.
    package static func hash(_ algorithm: Algorithm, _ bytes: some DataProtocol) -> [UInt8] {
        var digest = Digest(algorithm)
        digest.update(bytes)
        return digest.finalize()
    }

    /// HMAC-SHA256 of `message` under `key` (any length; 32 bytes for SigV4's derived keys).
    package static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }
}
