#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How values look in tables and detail lists.
enum Formatting {
    /// A time in milliseconds since 1970 as ISO 8601 in UTC, such as `2025-01-02T03:04:05Z`; empty
    /// when unknown.
    static func timestamp(_ milliseconds: Int64?) -> String {
        guard let milliseconds, milliseconds > 0 else { return "" }
        let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        return date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }

    /// A duration between two times in milliseconds, such as `1m 05s`; empty when either is unknown.
    static func duration(from start: Int64?, to end: Int64?) -> String {
        guard let start, let end, end >= start else { return "" }
        let seconds = (end - start) / 1000
        if seconds < 60 { return "\(Double(end - start) / 1000)s" }
        let (hours, minutes, rest) = (seconds / 3600, seconds % 3600 / 60, seconds % 60)
        let twoDigits = { (value: Int64) in value < 10 ? "0\(value)" : "\(value)" }
        return hours > 0 ? "\(hours)h \(twoDigits(minutes))m \(twoDigits(rest))s" : "\(minutes)m \(twoDigits(rest))s"
    }

    /// A metric value as Swift prints a `Double` (shortest exact form), `NaN`, `Infinity` or `-Infinity`.
    static func number(_ value: Double?) -> String {
        guard let value else { return "" }
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// `text` cut to `limit` characters with an ellipsis, for table cells that may be huge.
    static func excerpt(_ text: String, limit: Int = 120) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}

/// Labelled lines for one object (`Name:  iris`), labels padded to the same width.
struct DetailRenderer {
    private var rows: [(label: String, value: String)] = []

    /// Adds a line; an empty `value` is shown as `-`.
    mutating func append(_ label: String, _ value: String?) {
        rows.append((label, value.flatMap { $0.isEmpty ? nil : $0 } ?? "-"))
    }

    func render() -> String {
        let width = (rows.map(\.label.count).max() ?? 0) + 1
        return rows.map { row in
            let label = row.label + ":"
            return label + String(repeating: " ", count: width - row.label.count + 1) + row.value + "\n"
        }.joined()
    }
}

/// Writing to standard output.
enum StandardOutput {
    /// Prints `text` as is (tables and detail lists end with their own newline).
    static func write(_ text: String) {
        StandardStream.write(text, to: StandardStream.standardOutput)
    }

    /// Prints a section title for a table that follows, with a blank line before it.
    static func section(_ title: String) {
        write("\n\(title)\n")
    }
}
