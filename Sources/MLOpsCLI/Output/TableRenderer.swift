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

/// Column-aligned plain-text tables for people.
///
/// Columns are separated by two spaces and padded to their widest cell; the last column is not padded,
/// so lines carry no trailing spaces. Headers are bold only when ``usesANSI`` is on, which by default it
/// is only when standard output is a terminal and `NO_COLOR` is unset — piped output is plain text.
///
/// ```swift
/// var table = TableRenderer(headers: ["KEY", "VALUE"])
/// table.append(["MLFLOW_TRACKING_URI", "http://127.0.0.1:5000"])
/// print(table.render(), terminator: "")
/// ```
struct TableRenderer: Sendable {
    /// The column titles.
    var headers: [String]
    /// The rows; a short row is padded with empty cells.
    var rows: [[String]] = []
    /// Whether to emphasise headers with ANSI escape codes.
    var usesANSI: Bool = TableRenderer.standardOutputSupportsANSI()

    init(headers: [String], rows: [[String]] = []) {
        self.headers = headers
        self.rows = rows
    }

    /// Adds a row.
    mutating func append(_ row: [String]) {
        rows.append(row)
    }

    /// The table, one line per row after the header, each ending with a newline.
    func render() -> String {
        let columnCount = max(headers.count, rows.map(\.count).max() ?? 0)
        guard columnCount > 0 else { return "" }
        func cells(_ row: [String]) -> [String] {
            (0..<columnCount).map { $0 < row.count ? Self.singleLine(row[$0]) : "" }
        }
        let header = cells(headers)
        let body = rows.map(cells)
        let widths = (0..<columnCount).map { column in
            ([header] + body).map { $0[column].count }.max() ?? 0
        }
        func line(_ row: [String], emphasised: Bool) -> String {
            var text = ""
            for (column, cell) in row.enumerated() {
                let isLast = column == columnCount - 1
                let padding = isLast ? "" : String(repeating: " ", count: widths[column] - cell.count + 2)
                text += emphasised && !cell.isEmpty ? "\u{1B}[1m\(cell)\u{1B}[0m" : cell
                text += padding
            }
            while text.hasSuffix(" ") { text.removeLast() }
            return text + "\n"
        }
        return line(header, emphasised: usesANSI) + body.map { line($0, emphasised: false) }.joined()
    }

    /// Whether standard output is a terminal that may receive ANSI codes.
    static func standardOutputSupportsANSI(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Bool {
        guard isatty(STDOUT_FILENO) == 1 else { return false }
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
        return environment["TERM"] != "dumb"
    }

    /// Control characters would break the alignment (or the terminal): show them escaped.
    private static func singleLine(_ cell: String) -> String {
        guard cell.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return cell }
        var escaped = ""
        for scalar in cell.unicodeScalars {
            switch scalar {
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case _ where scalar.properties.generalCategory == .control:
                escaped += "\\u{\(String(scalar.value, radix: 16))}"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
