internal import COpenSSLCryptoLoader

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// MD5, SHA-256 and HMAC-SHA256 through OpenSSL's libcrypto, which libcurl already loads, so signing
/// and checksums add neither a library nor memory to the process.
///
/// ```swift
/// var digest = Digest(.sha256)
/// digest.update(bytes)
/// let hash = digest.finalize()      // 32 bytes
/// ```
///
/// A value is used by one task at a time (it is not `Sendable`); create one per hash. Visible to the
/// package (not public) so that the benchmark driver can time it.
package struct Digest: ~Copyable {
    /// The algorithms available.
    package enum Algorithm {
        case md5
        case sha256

        var byteCount: Int { self == .md5 ? 16 : 32 }
        fileprivate var kind: mlopskit_digest_kind { self == .md5 ? MLOPSKIT_DIGEST_MD5 : MLOPSKIT_DIGEST_SHA256 }
    }

    private let context: OpaquePointer
    private let algorithm: Algorithm

    /// A digest in progress. libcrypto is a requirement of the library like libc: if it cannot be
    /// loaded (or cannot allocate a context), the process stops with the reason.
    package init(_ algorithm: Algorithm) {
        guard let context = mlopskit_digest_new(algorithm.kind) else {
            fatalError(Self.unavailable("a \(algorithm) digest context"))
        }
        self.context = context
        self.algorithm = algorithm
    }

    deinit { mlopskit_digest_free(context) }

    /// Adds `bytes` to the digest.
    package mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        _ = mlopskit_digest_update(context, bytes.baseAddress, bytes.count)
    }

    /// Adds `bytes` to the digest.
    package mutating func update(_ bytes: some DataProtocol) {
        for region in bytes.regions {
            region.withUnsafeBytes { update($0) }
        }
    }

    /// The digest of everything added.
    package consuming func finalize() -> [UInt8] {
        var output = [UInt8](repeating: 0, count: algorithm.byteCount)
        _ = output.withUnsafeMutableBufferPointer { mlopskit_digest_final(context, $0.baseAddress) }
        return output
    }

    /// The digest of `bytes`.
    package static func hash(_ algorithm: Algorithm, _ bytes: some DataProtocol) -> [UInt8] {
        var digest = Digest(algorithm)
        digest.update(bytes)
        return digest.finalize()
    }

    /// HMAC-SHA256 of `message` under `key` (32 bytes).
    package static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        key.withUnsafeBytes { key in
            message.withUnsafeBytes { message in
                let done = output.withUnsafeMutableBufferPointer {
                    mlopskit_hmac_sha256(key.baseAddress, key.count, message.baseAddress, message.count, $0.baseAddress)
                }
                if done != 1 { fatalError(Self.unavailable("an HMAC-SHA256")) }
            }
        }
        return output
    }

    private static func unavailable(_ what: String) -> String {
        let reason = mlopskit_crypto_load().map { String(cString: $0) } ?? "OpenSSL failed"
        return "OpenSSL's libcrypto could not compute \(what): \(reason)"
    }
}
