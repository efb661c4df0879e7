import ArgumentParser
import MLOpsKit

/// `mlops config …`: inspect the configuration.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Inspect the configuration.",
        subcommands: [Show.self],
        defaultSubcommand: Show.self
    )
}

extension ConfigCommand {
    /// `mlops config show`: every key, its value (secrets masked) and where it came from.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show every configuration key, its value and where the value came from.",
            discussion: """
                Sources: 'default', the .env file's path, 'environment', or the flag that set the value. \
                Secrets are shown as ***; a URL's password is masked; access key ids show their last \
                four characters at most.

                With --json the output is an object keyed by variable name: \
                {"KEY": {"source": "...", "value": "..." or null}}.

                If a value is invalid, the configuration is still shown, then the error is reported and \
                the command exits with status 7.
                """
        )

        @OptionGroup var options: GlobalOptions

        /// The JSON shape of one key.
        struct Entry: Encodable, Equatable {
            var value: String?
            var source: String

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(value, forKey: .value)  // null when unset, not omitted
                try container.encode(source, forKey: .source)
            }

            private enum CodingKeys: String, CodingKey {
                case value, source
            }
        }

        func run() async throws {
            let resolved = try options.resolveConfiguration()
            let report = resolved.report()
            if options.json {
                let object = Dictionary(
                    uniqueKeysWithValues: report.map {
                        ($0.key, Entry(value: $0.displayValue, source: $0.source.description))
                    })
                try JSONOutput.print(object)
            } else {
                var table = TableRenderer(headers: ["KEY", "VALUE", "SOURCE"])
                for entry in report {
                    table.append([entry.key, entry.displayValue ?? "(unset)", entry.source.description])
                }
                print(table.render(), terminator: "")
            }
            // Show the configuration first, then fail on a value that does not convert.
            _ = try MLOpsConfiguration(resolved: resolved)
        }
    }
}
