import MLOpsCore

/// Cuts a byte stream of newline-separated JSON documents (the Engine's events, build and import
/// progress) into single lines, whatever the sizes of the pieces it arrives in.
struct JSONLineSplitter: Sendable {
    private var buffer: [UInt8] = []

    /// Adds `bytes` and returns every complete, non-empty line (without its line break).
    mutating func feed(_ bytes: some Sequence<UInt8>) -> [[UInt8]] {
        buffer.append(contentsOf: bytes)
        var lines: [[UInt8]] = []
        var start = 0
        while let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
            var line = buffer[start..<newline]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if !line.allSatisfy({ $0 == 32 || $0 == 9 }) { lines.append(Array(line)) }
            start = newline + 1
        }
        buffer.removeFirst(start)
        return lines
    }

    /// What is left after the last line break (a last document without one).
    mutating func finish() -> [[UInt8]] {
        defer { buffer = [] }
        return buffer.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) ? [] : [buffer]
    }
}
