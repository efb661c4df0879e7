#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Machine-readable output: pretty-printed JSON with sorted keys, on standard output.
///
/// Field names are MLflow's (snake_case); a NaN or infinite number is the string `"NaN"`,
/// `"Infinity"` or `"-Infinity"`.
enum JSONOutput {
    /// `value` as JSON text, ending with a newline.
    static func render(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        // Metric values may be NaN or infinite; spell them as MLflow's JSON does.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let data = try encoder.encode(value)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Prints `value` as JSON to standard output.
    static func print(_ value: some Encodable) throws {
        StandardOutput.write(try render(value))
    }
}
