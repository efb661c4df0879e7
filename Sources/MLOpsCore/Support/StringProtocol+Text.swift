// Small text helpers, so the library needs only FoundationEssentials (a smaller footprint than full
// Foundation for every program that embeds MLOpsKit).

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    package func trimmingWhitespace() -> String {
        trimming { $0 == " " || $0 == "\t" }
    }

    /// The text without leading and trailing whitespace and line breaks.
    package func trimmingWhitespaceAndNewlines() -> String {
        trimming { $0.isWhitespace || $0.isNewline }
    }

    private func trimming(_ isTrimmed: (Character) -> Bool) -> String {
        guard let first = firstIndex(where: { !isTrimmed($0) }) else { return "" }
        let last = lastIndex(where: { !isTrimmed($0) })!
        return String(self[first...last])
    }

    /// The text with `%XX` escapes decoded; `nil` when an escape is malformed or the bytes are not UTF-8.
    package func removingPercentEscapes() -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue)
            else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
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
