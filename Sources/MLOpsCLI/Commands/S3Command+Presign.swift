import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MLOpsKit

extension S3Command {
    /// `mlops s3 presign s3://bucket/key [--expires-in SECONDS] [--put]`.
    struct Presign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "presign",
            abstract: "Print a URL that downloads (or with --put uploads) one object without credentials.",
            discussion: """
                The URL is signed locally (nothing is sent) and works until it expires, for anyone who \
                holds it: it is a bearer credential. It is printed to standard output only, never to \
                standard error or --debug logs. With --json: {"url", "method", "expires_in"}.
                """
        )

        @Argument(help: ArgumentHelp("The object.", valueName: "s3://bucket/key"))
        var uri: String

        @Option(
            name: .customLong("expires-in"),
            help: ArgumentHelp("Seconds the URL stays valid, 1 to 604800 (7 days).", valueName: "seconds"))
        var expiresIn = 3600

        @Flag(help: "Presign an upload (PUT) instead of a download (GET).")
        var put = false

        @OptionGroup var options: S3Options

        struct Output: Encodable, Equatable {
            var url: String
            var method: String
            var expiresIn: Int

            enum CodingKeys: String, CodingKey {
                case url, method
                case expiresIn = "expires_in"
            }
        }

        func run() async throws {
            let target = try S3Command.uri(uri)
            guard !target.isBucket else {
                throw S3URIError(input: uri, reason: "it names a bucket; a presigned URL is for one object, s3://bucket/key")
            }
            let client = try options.makeClient()
            let method: TransportMethod = put ? .put : .get
            let url = try await client.presignedURL(
                method, bucket: target.bucket, key: target.key, expiresIn: .seconds(expiresIn))
            if options.json {
                return try JSONOutput.print(Output(url: url.absoluteString, method: method.rawValue, expiresIn: expiresIn))
            }
            StandardOutput.write(url.absoluteString + "\n")
        }
    }
}
