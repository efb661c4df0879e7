import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import MLOpsKit

extension ServeCommand {
    /// `mlops serve predict MODEL@ALIAS --input-json FILE | --input-csv FILE`.
    struct Predict: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a prediction request to the model server of MODEL@ALIAS and print its answer.",
            discussion: """
                Finds where MODEL@ALIAS is served (the agent's status, else the serving runtime), sends \
                the file to its POST /invocations (JSON: one of dataframe_split, dataframe_records, \
                instances or inputs, as 'application/json'; CSV as 'text/csv'), and prints the server's \
                answer, such as {"predictions": [0, 2]}. '-' reads standard input. When the connection \
                is refused (the instance was replaced after it was found), MODEL@ALIAS is looked up \
                again and the request sent once more.

                The flags are --input-json and --input-csv rather than --json and --csv because --json \
                is every command's flag for JSON output.

                Exit statuses: 3 when nothing serves MODEL@ALIAS, 4 when the model server (or the \
                agent and the runtime) cannot be reached, 6 for an input file that cannot be read or \
                is malformed, or that the server refused (HTTP 400), 5 for other server errors.
                """
        )

        @Argument(help: ArgumentHelp("The served model alias, such as iris@Production.", valueName: "model@alias"))
        var target: String

        @Option(name: .customLong("input-json"), help: ArgumentHelp("A JSON input file ('-' for standard input).", valueName: "file"))
        var inputJSON: String?

        @Option(name: .customLong("input-csv"), help: ArgumentHelp("A CSV input file ('-' for standard input).", valueName: "file"))
        var inputCSV: String?

        @Option(
            name: .customLong("request-timeout"),
            help: ArgumentHelp("Seconds the model server may take to answer (default: --timeout).", valueName: "seconds"))
        var requestTimeout: Double?

        @OptionGroup var agentOptions: ServeAgentOptions
        @OptionGroup var options: GlobalOptions

        func validate() throws {
            guard (inputJSON == nil) != (inputCSV == nil) else {
                throw ValidationError("Give exactly one of --input-json FILE and --input-csv FILE.")
            }
            if let requestTimeout, !(requestTimeout > 0 && requestTimeout.isFinite) {
                throw ValidationError("--request-timeout must be a number of seconds greater than 0.")
            }
        }

        func run() async throws {
            let key = try ServeCommand.key(target)
            let input = try Self.readInput(json: inputJSON, csv: inputCSV)
            let context = try ServeContext(options: options, agentOptions: agentOptions)
            let transport = context.transport
            let timeout = requestTimeout.map { Duration.milliseconds(Int64($0 * 1000)) }
            let prediction = try await context.resolver.invoke(key, input: input) { url in
                ModelServerClient(endpoint: url, transport: transport, timeout: timeout)
            }
            context.logger.debug(
                "prediction",
                metadata: [
                    "endpoint": "\(prediction.endpoint.url)", "version": "\(prediction.endpoint.version ?? "?")",
                    "source": "\(prediction.endpoint.source)", "resolved_again": "\(prediction.resolvedAgain)",
                ])
            var text = String(decoding: prediction.response.body, as: UTF8.self)
            if !text.hasSuffix("\n") { text += "\n" }
            StandardOutput.write(text)
        }

        /// The input named by `--input-json` or `--input-csv`, read and checked.
        ///
        /// - Throws: ``CLIError`` (exit status 6) for a file that cannot be read or is malformed.
        static func readInput(json: String?, csv: String?) throws(CLIError) -> ModelServerInput {
            let (format, path, flag): (ModelServerInput.Format, String, String) =
                if let json { (.json, json, "--input-json") } else { (.csv, csv ?? "-", "--input-csv") }
            let data: Data
            if path == "-" {
                data = StandardInput.readAll()
            } else {
                guard let contents = FileManager.default.contents(atPath: path) else {
                    throw .invalid("\(flag): cannot read '\(path)'")
                }
                data = contents
            }
            do {
                return try ModelServerInput.checked(format, body: data)
            } catch {
                throw .invalid("\(flag) '\(path)': \(error.reason)")
            }
        }
    }
}
