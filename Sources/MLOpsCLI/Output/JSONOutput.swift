import Foundation

/// Machine-readable output: pretty-printed JSON with sorted keys, on standard output.
enum JSONOutput {
    /// `value` as JSON text, ending with a newline.
    static func render(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(value)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Prints `value` as JSON to standard output.
    static func print(_ value: some Encodable) throws {
        FileHandle.standardOutput.write(Data(try render(value).utf8))
    }
}
