/// The byte-level encodings Signature V4 is defined in terms of: RFC 3986 percent-encoding with only the
/// unreserved characters left alone, lenient percent-decoding, lowercase hex, and the header-value
/// whitespace rule ("trimall").
package enum SigV4Encoding {
    /// `bytes` with every byte outside `A–Z a–z 0–9 - . _ ~` written as `%XX` (uppercase hex).
    package static func uriEncode(_ bytes: some Sequence<UInt8>) -> String {
        var result = ""
        for byte in bytes {
            if isUnreserved(byte) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result.unicodeScalars.append("%")
                result.unicodeScalars.append(hexDigit(byte >> 4, uppercase: true))
                result.unicodeScalars.append(hexDigit(byte & 0x0F, uppercase: true))
            }
        }
        return result
    }

    /// The UTF-8 bytes of `text`, percent-encoded the same way.
    package static func uriEncode(_ text: some StringProtocol) -> String {
        uriEncode(text.utf8)
    }

    /// The bytes `text` stands for once its `%XX` escapes are decoded. A `%` that does not start a valid
    /// escape is kept as a literal `%`, and `+` stays `+` (RFC 3986, not form encoding).
    package static func percentDecode(_ text: some StringProtocol) -> [UInt8] {
        let bytes = Array(text.utf8)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            {
                result.append(high << 4 | low)
                index += 3
            } else {
                result.append(byte)
                index += 1
            }
        }
        return result
    }

    /// `text` decoded and encoded again, so that every way of writing the same bytes in a URL gives the
    /// same canonical form (`%7e`, `%7E` and `~` all become `~`; `$` and `%24` both become `%24`).
    package static func canonicalize(_ text: some StringProtocol) -> String {
        uriEncode(percentDecode(text))
    }

    /// Lowercase hex of `bytes`.
    package static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var result = ""
        for byte in bytes {
            result.unicodeScalars.append(hexDigit(byte >> 4, uppercase: false))
            result.unicodeScalars.append(hexDigit(byte & 0x0F, uppercase: false))
        }
        return result
    }

    /// A header value as it enters the canonical request: leading and trailing whitespace removed and
    /// every inner run of whitespace (spaces, tabs and the line breaks of a folded header) replaced by
    /// one space.
    package static func trimAll(_ value: some StringProtocol) -> String {
        var result = ""
        var pendingSpace = false
        for scalar in value.unicodeScalars {
            if isWhitespace(scalar) {
                pendingSpace = !result.isEmpty
            } else {
                if pendingSpace { result.unicodeScalars.append(" ") }
                pendingSpace = false
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Whether `lhs` sorts before `rhs` byte by byte, the order Signature V4 sorts names and values in.
    package static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }

    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case " ", "\t", "\n", "\r", "\u{0B}", "\u{0C}": true
        default: false
        }
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    private static func hexDigit(_ value: UInt8, uppercase: Bool) -> Unicode.Scalar {
        let letterBase = uppercase ? UInt8(ascii: "A") : UInt8(ascii: "a")
        return Unicode.Scalar(value < 10 ? UInt8(ascii: "0") + value : letterBase + value - 10)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
