import ArgumentParser
import Foundation
import Testing

@testable import MLOpsCLI

/// docs/CLI.md must describe every command and flag the parser knows, so the reference cannot drift.
@Suite("docs/CLI.md covers the command tree")
struct DocumentationTests {
    static let reference: String = {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("docs/CLI.md"), encoding: .utf8)) ?? ""
    }()

    /// Every command below the root, with its path such as `["alias", "promote"]`.
    static func commands(
        below command: any ParsableCommand.Type = MLOps.self, path: [String] = []
    ) -> [(path: [String], type: any ParsableCommand.Type)] {
        command.configuration.subcommands.flatMap { subcommand in
            let subpath = path + [subcommand._commandName]
            return [(subpath, subcommand)] + commands(below: subcommand, path: subpath)
        }
    }

    @Test func referenceExists() {
        #expect(!Self.reference.isEmpty, "docs/CLI.md is missing")
    }

    @Test func everyCommandIsDocumented() {
        let commands = Self.commands()
        #expect(commands.count > 20)
        for (path, _) in commands {
            let spelled = "mlops " + path.joined(separator: " ")
            #expect(Self.reference.contains(spelled), "docs/CLI.md does not mention '\(spelled)'")
        }
    }

    @Test func everyFlagIsDocumented() throws {
        let flagPattern = try Regex(#"--[a-z][a-z0-9-]*"#)
        for (path, type) in Self.commands() {
            let help = MLOps.helpMessage(for: type)
            let flags = Set(help.matches(of: flagPattern).map { String(help[$0.range]) })
            for flag in flags where flag != "--help" {
                #expect(
                    Self.reference.contains("`\(flag)"),
                    "docs/CLI.md does not document \(flag) of 'mlops \(path.joined(separator: " "))'")
            }
        }
    }

    @Test func everyExitStatusIsDocumented() {
        for status in 0...7 {
            #expect(Self.reference.contains("| \(status) |"), "docs/CLI.md lacks exit status \(status)")
        }
    }

    @Test func completionsAreDocumented() {
        #expect(Self.reference.contains("--generate-completion-script"))
    }
}
