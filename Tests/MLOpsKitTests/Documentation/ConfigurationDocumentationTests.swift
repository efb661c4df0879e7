import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// docs/CONFIGURATION.md lists every variable the loader knows, with its default, so the two cannot drift.
@Suite("Configuration documentation")
struct ConfigurationDocumentationTests {
    @Test func everyVariableIsDocumentedWithItsDefault() throws {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("docs/CONFIGURATION.md"), encoding: .utf8)
        for key in ConfigurationKey.all {
            let row = text.split(separator: "\n").first { $0.hasPrefix("| `\(key.name)`") }
            #expect(row != nil, "docs/CONFIGURATION.md has no row for \(key.name)")
            if let row, let defaultValue = key.defaultValue, !defaultValue.isEmpty {
                #expect(row.contains("`\(defaultValue)`"), "docs/CONFIGURATION.md shows a wrong default for \(key.name)")
            }
        }
    }
}
