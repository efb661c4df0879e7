#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// A swift-log handler writing plain lines for people at a terminal:
/// `2026-03-01T12:00:00.250Z info  replace iris@Production v3 → v4 action=replace model=iris`.
///
/// Metadata follows the message as sorted `key=value` pairs (values with spaces are quoted). Never log a
/// secret: the handler writes what it is given.
public struct TextLogHandler: LogHandler {
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

    public func log(event: LogEvent) {
        var all = self.metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let extra = event.metadata { all.merge(extra) { $1 } }
        let level = event.level.rawValue
        var text = LogTimestamp.rfc3339(millisecondsSince1970: now()) + " " + level
            + String(repeating: " ", count: max(1, 9 - level.count)) + event.message.description
        for (key, value) in JSONLogHandler.flatten(all) {
            let rendered: String
            switch value {
            case .string(let string): rendered = string
            case .array(let items): rendered = "[" + items.joined(separator: ",") + "]"
            }
            text += " \(key)=" + (rendered.contains(" ") || rendered.isEmpty ? "\"\(rendered)\"" : rendered)
        }
        output.write(line: text + "\n")
    }
}
