#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// A swift-log handler writing one JSON object per line, for Loki, `jq` and other log collectors:
///
/// ```json
/// {"ts":"2026-03-01T12:00:00.250Z","level":"info","logger":"autoserve","message":"replace iris@Production v3 → v4","action":"replace","model":"iris","alias":"Production","from_version":"3","to_version":"4"}
/// ```
///
/// Metadata is flattened into the object: nested dictionaries become dotted keys (`a.b`), lists become
/// arrays of strings. A metadata key that would replace `ts`, `level`, `logger` or `message` is written
/// as `metadata.<key>` instead. Never log a secret: the handler writes what it is given.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    public let label: String
    public let output: any LogLineOutput
    /// The clock, in milliseconds since the epoch (tests fix it).
    public var now: @Sendable () -> Int64

    public init(
        label: String, level: Logger.Level = .info, output: any LogLineOutput = FileDescriptorLogOutput.standardError,
        metadataProvider: Logger.MetadataProvider? = nil,
        now: @escaping @Sendable () -> Int64 = { Int64((Date().timeIntervalSince1970 * 1_000).rounded(.down)) }
    ) {
        self.label = label
        self.logLevel = level
        self.output = output
        self.metadataProvider = metadataProvider
        self.now = now
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    static let reservedKeys: Set<String> = ["ts", "level", "logger", "message"]

    public func log(event: LogEvent) {
        var json = "{"
        JSONText.appendMember("ts", .string(LogTimestamp.rfc3339(millisecondsSince1970: now())), to: &json, first: true)
        JSONText.appendMember("level", .string(event.level.rawValue), to: &json)
        JSONText.appendMember("logger", .string(label), to: &json)
        JSONText.appendMember("message", .string(event.message.description), to: &json)
        for (key, value) in Self.flatten(merged(event.metadata)) {
            let name = Self.reservedKeys.contains(key) ? "metadata.\(key)" : key
            JSONText.appendMember(name, value, to: &json)
        }
        json += "}\n"
        output.write(line: json)
    }

    /// The handler's metadata, then the provider's, then the event's; later ones win.
    private func merged(_ event: Logger.Metadata?) -> Logger.Metadata {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let event { all.merge(event) { $1 } }
        return all
    }

    /// Metadata as sorted (key, JSON value) pairs, nested dictionaries flattened into dotted keys.
    static func flatten(_ metadata: Logger.Metadata, prefix: String = "") -> [(String, JSONText.Value)] {
        var result: [(String, JSONText.Value)] = []
        for key in metadata.keys.sorted() {
            let name = prefix.isEmpty ? key : "\(prefix).\(key)"
            switch metadata[key]! {
            case .string(let text): result.append((name, .string(text)))
            case .stringConvertible(let value): result.append((name, .string(value.description)))
            case .array(let values): result.append((name, .array(values.map(\.description))))
            case .dictionary(let nested): result += flatten(nested, prefix: name)
            }
        }
        return result
    }
}

/// The little JSON the log handler writes: strings and arrays of strings, escaped per RFC 8259.
enum JSONText {
    enum Value {
        case string(String)
        case array([String])
    }

    static func appendMember(_ key: String, _ value: Value, to line: inout String, first: Bool = false) {
        if !first { line += "," }
        appendString(key, to: &line)
        line += ":"
        switch value {
        case .string(let text):
            appendString(text, to: &line)
        case .array(let items):
            line += "["
            for (index, item) in items.enumerated() {
                if index > 0 { line += "," }
                appendString(item, to: &line)
            }
            line += "]"
        }
    }

    static func appendString(_ text: String, to line: inout String) {
        line += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case let control where control.value < 0x20:
                let hex = String(control.value, radix: 16)
                line += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }
}
