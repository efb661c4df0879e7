import Foundation

/// A Dockerfile read into its instructions, enough for static checks: line continuations joined,
/// comments and parser directives dropped, stages split at `FROM`.
struct Dockerfile {
    struct Instruction: Equatable {
        var keyword: String
        var arguments: String
        var line: Int
    }

    struct Stage {
        var image: String
        var name: String?
        var instructions: [Instruction]

        func all(_ keyword: String) -> [Instruction] { instructions.filter { $0.keyword == keyword } }
    }

    var globalArguments: [String: String] = [:]
    var stages: [Stage] = []

    init(_ text: String) {
        var pending = ""
        var startLine = 0
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") { continue }
            if pending.isEmpty {
                if line.isEmpty { continue }
                startLine = index + 1
            }
            if line.hasSuffix("\\") {
                pending += line.dropLast() + " "
                continue
            }
            pending += line
            add(pending, line: startLine)
            pending = ""
        }
    }

    private mutating func add(_ text: String, line: Int) {
        let parts = text.split(separator: " ", maxSplits: 1)
        let keyword = parts[0].uppercased()
        let arguments = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        if keyword == "FROM" {
            let words = arguments.split(separator: " ").map(String.init)
            let name = words.count >= 3 && words[1].uppercased() == "AS" ? words[2] : nil
            stages.append(Stage(image: substitute(words[0]), name: name, instructions: []))
        } else if stages.isEmpty {
            if keyword == "ARG", let (key, value) = Self.assignment(arguments) { globalArguments[key] = value }
        } else {
            stages[stages.count - 1].instructions.append(Instruction(keyword: keyword, arguments: arguments, line: line))
        }
    }

    /// `${NAME}` and `$NAME` from the global `ARG` defaults.
    func substitute(_ text: String) -> String {
        var result = text
        for (key, value) in globalArguments {
            result = result.replacingOccurrences(of: "${\(key)}", with: value)
                .replacingOccurrences(of: "$\(key)", with: value)
        }
        return result
    }

    func stage(named name: String) -> Stage? { stages.first { $0.name == name } }

    /// `KEY=value` (an `ARG` or one `ENV` pair) split in two.
    static func assignment(_ text: String) -> (String, String)? {
        guard let equals = text.firstIndex(of: "=") else { return nil }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }

    /// The `KEY=value` pairs of an `ENV` instruction.
    static func environment(_ instruction: Instruction) -> [String: String] {
        var result: [String: String] = [:]
        for word in instruction.arguments.split(separator: " ") {
            if let (key, value) = assignment(String(word)) { result[key] = value }
        }
        return result
    }

    /// A `COPY` split into its options (`--from=build` → `["from": "build"]`), sources and destination.
    static func copy(_ instruction: Instruction) -> (options: [String: String], sources: [String], destination: String) {
        var options: [String: String] = [:]
        var paths: [String] = []
        for word in instruction.arguments.split(separator: " ").map(String.init) {
            if word.hasPrefix("--"), let (key, value) = assignment(String(word.dropFirst(2))) {
                options[key] = value
            } else {
                paths.append(word)
            }
        }
        return (options, Array(paths.dropLast()), paths.last ?? "")
    }

    /// The packages of every `apt-get install` in a stage.
    static func aptPackages(_ stage: Stage) -> Set<String> {
        var packages: Set<String> = []
        for run in stage.all("RUN") {
            for command in run.arguments.components(separatedBy: "&&") {
                let words = command.split(separator: " ").map(String.init)
                guard let install = words.firstIndex(of: "install"), words.contains("apt-get") else { continue }
                packages.formUnion(words[(install + 1)...].filter { !$0.hasPrefix("-") })
            }
        }
        return packages
    }
}
