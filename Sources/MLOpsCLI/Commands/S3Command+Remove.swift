import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MLOpsKit

extension S3Command {
    /// `mlops s3 rm s3://bucket/key [--recursive]`.
    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm",
            abstract: "Delete an object, or with --recursive every object under a prefix.",
            discussion: """
                Deleting a key that does not exist succeeds, as in S3. With --recursive, \
                s3://bucket/data means the keys under data/ (s3://bucket: every object in the bucket); \
                they are listed, then deleted 1,000 per request. Keys the server refuses to delete are \
                listed on standard error and the exit status is not 0 (5, or 7 for access denied). \
                With --json: {"deleted": N, "failed": [{"key", "code", "message"}]}.
                """
        )

        @Argument(help: ArgumentHelp("s3://bucket/key, or s3://bucket/prefix with --recursive.", valueName: "s3-uri"))
        var uri: String

        @Flag(help: "Delete every object under the prefix.")
        var recursive = false

        @OptionGroup var options: S3Options

        /// The JSON output.
        struct Output: Encodable, Equatable {
            struct Failure: Encodable, Equatable {
                var key: String
                var code: String
                var message: String
            }

            var deleted: Int
            var failed: [Failure]
        }

        func run() async throws {
            let target = try S3Command.uri(uri)
            guard recursive || !target.isBucket else {
                throw S3URIError(
                    input: uri,
                    reason: "it names a bucket, not an object; use --recursive to delete its objects, or 'mlops s3 rb' to remove it")
            }
            let client = try options.makeClient()
            if !recursive {
                try await client.deleteObject(bucket: target.bucket, key: target.key)
                if options.json { return try JSONOutput.print(Output(deleted: 1, failed: [])) }
                return StandardOutput.write("deleted \(target)\n")
            }
            let prefix = target.directoryPrefix
            let result = try await Self.deleteAll(under: prefix, in: target.bucket, client: client)
            let scope = "s3://\(target.bucket)/\(prefix)"
            if options.json {
                try JSONOutput.print(
                    Output(
                        deleted: result.deleted.count,
                        failed: result.failures.map { .init(key: $0.key, code: $0.code.rawValue, message: $0.message) }))
            } else {
                StandardOutput.write("deleted \(S3Command.count(result.deleted.count, "object")) from \(scope)\n")
            }
            try Self.check(result, bucket: target.bucket, json: options.json)
        }

        /// Lists every key under `prefix`, then deletes them in batches.
        static func deleteAll(under prefix: String, in bucket: String, client: S3Client) async throws -> DeleteObjectsResult {
            var keys: [String] = []
            for try await object in client.listObjects(bucket: bucket, prefix: prefix) { keys.append(object.key) }
            guard !keys.isEmpty else { return DeleteObjectsResult() }
            return try await client.deleteObjects(bucket: bucket, keys: keys)
        }

        /// Lists the keys that could not be deleted on standard error (unless the JSON output holds
        /// them) and throws when there are any: exit status 7 when the first was refused for access, 5
        /// otherwise.
        static func check(_ result: DeleteObjectsResult, bucket: String, json: Bool) throws {
            guard let first = result.failures.first else { return }
            if !json {
                for failure in result.failures {
                    StandardError.write("failed to delete s3://\(bucket)/\(failure.key): \(failure.code): \(failure.message)")
                }
            }
            let error = S3Error(code: first.code, message: first.message, bucket: bucket, key: first.key)
            throw CLIError(
                error.exitCode == .configuration ? .configuration : .serverError,
                "\(S3Command.count(result.failures.count, "object")) in s3://\(bucket) could not be deleted")
        }
    }
}
