import MLOpsCore

/// Masks signing secrets in text a server sent back: presigned-URL query values
/// (`X-Amz-Signature=…`, `X-Amz-Credential=…`, `X-Amz-Security-Token=…`, SigV2 `Signature=…` and
/// `AWSAccessKeyId=…`) and the same names as canonical-request header lines (`x-amz-security-token:…`).
///
/// Names match ASCII case-insensitively at a word boundary; a value runs to the next `&`, whitespace,
/// quote or angle bracket.
enum S3SecretMasking {
    private static let names: [[UInt8]] = [
        "x-amz-signature", "x-amz-credential", "x-amz-security-token", "signature", "awsaccesskeyid",
    ].map { Array($0.utf8) }

    static func masking(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.contains(where: { $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: ":") }) else { return text }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if let end = nameEnd(in: bytes, at: index) {
                output.append(contentsOf: bytes[index...end])  // the name and its `=` or `:`
                var valueStart = end + 1
                while valueStart < bytes.count, bytes[valueStart] == UInt8(ascii: " ") {
                    output.append(bytes[valueStart])
                    valueStart += 1
                }
                var valueEnd = valueStart
                while valueEnd < bytes.count, !isDelimiter(bytes[valueEnd]) { valueEnd += 1 }
                if valueEnd > valueStart { output.append(contentsOf: Array(Redaction.mask.utf8)) }
                index = valueEnd
                continue
            }
            output.append(bytes[index])
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The index of the `=` or `:` after a secret name starting at `index`, if one does.
    private static func nameEnd(in bytes: [UInt8], at index: Int) -> Int? {
        if index > 0, isNameCharacter(bytes[index - 1]) { return nil }
        for name in names where index + name.count < bytes.count {
            var matches = true
            for offset in 0..<name.count where lowercased(bytes[index + offset]) != name[offset] {
                matches = false
                break
            }
            let separator = bytes[index + name.count]
            if matches, separator == UInt8(ascii: "=") || separator == UInt8(ascii: ":") {
                return index + name.count
            }
        }
        return nil
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }

    private static func isNameCharacter(_ byte: UInt8) -> Bool {
        let lower = lowercased(byte)
        return (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(lower)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(lower) || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: "_")
    }

    private static func isDelimiter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "&"), UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"),
            UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "<"), UInt8(ascii: ">"):
            true
        default:
            false
        }
    }
}
