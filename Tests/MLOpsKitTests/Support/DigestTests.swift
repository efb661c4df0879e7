import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// The library's hashes against published test vectors (RFC 1321, FIPS 180-2, RFC 4231).
@Suite struct DigestTests {
    private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test func md5AndSHA256OfKnownInputs() {
        #expect(hex(Digest.hash(.md5, Data())) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(hex(Digest.hash(.md5, Data("abc".utf8))) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(
            hex(Digest.hash(.sha256, Data())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            hex(Digest.hash(.sha256, Data("abc".utf8)))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    /// Bytes added in pieces (including empty ones and non-contiguous data) hash as the whole does.
    @Test func incrementalUpdatesMatchOneShot() {
        let message = (0..<100_003).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        for algorithm in [Digest.Algorithm.md5, .sha256] {
            var digest = Digest(algorithm)
            var offset = 0
            for size in [0, 1, 63, 64, 65, 4096, 0, 30_000] {
                message[offset..<offset + size].withUnsafeBytes { digest.update($0) }
                offset += size
            }
            var rest = DispatchData.empty
            for start in stride(from: offset, to: message.count, by: 10_000) {
                let end = min(start + 10_000, message.count)
                message[start..<end].withUnsafeBytes { rest.append($0) }
            }
            digest.update(rest)
            #expect(digest.finalize() == Digest.hash(algorithm, message), "\(algorithm)")
        }
        // 1,000,000 times "a" (FIPS 180-2's long vector), in 1,000-byte updates.
        var sha = Digest(.sha256)
        let block = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { sha.update(block) }
        #expect(hex(sha.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// RFC 4231 test cases 1, 2 and 6 (a key longer than a block is hashed first).
    @Test func hmacSHA256OfRFC4231() {
        #expect(
            hex(Digest.hmacSHA256(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8)))
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(
            hex(Digest.hmacSHA256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(
            hex(
                Digest.hmacSHA256(
                    key: [UInt8](repeating: 0xaa, count: 131),
                    message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)))
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }
}
