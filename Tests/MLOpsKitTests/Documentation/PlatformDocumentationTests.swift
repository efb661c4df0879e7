import Foundation
import Testing

/// The README's platform statement follows what the project is built and tested on: the Swift and
/// Debian release of the container image's builder, and the process runtime's Linux-only `/proc`.
@Suite("Platform documentation")
struct PlatformDocumentationTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func readmeNamesTheTestedPlatformOfTheBuilderImage() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let dockerfile = try String(contentsOf: Self.root.appendingPathComponent("Dockerfile"), encoding: .utf8)
        // ARG SWIFT_IMAGE=swift:6.3.1-bookworm → "Swift 6.3", "bookworm".
        let line = try #require(dockerfile.split(separator: "\n").first { $0.hasPrefix("ARG SWIFT_IMAGE=swift:") })
        let tag = line.dropFirst("ARG SWIFT_IMAGE=swift:".count)
        let version = tag.split(separator: "-")[0].split(separator: ".").prefix(2).joined(separator: ".")
        let release = try #require(tag.split(separator: "-").last)
        let section = try #require(readme.components(separatedBy: "### Platforms").dropFirst().first)
        let platforms = section.components(separatedBy: "\n## ")[0]
        #expect(platforms.contains("Swift \(version)"), "README's platforms do not name Swift \(version)")
        #expect(platforms.contains("(\(release))"), "README's platforms do not name Debian \(release)")
        #expect(platforms.contains("Linux x86_64"))
        #expect(platforms.contains("Linux-only") && platforms.contains("/proc"), "the process runtime's limit")
        #expect(platforms.contains("macOS"))
    }
}
