import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MLOpsKit

extension S3Command {
    /// `mlops s3 mb s3://bucket [--ignore-existing]`.
    struct MakeBucket: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mb",
            abstract: "Create a bucket.",
            discussion: """
                The name must follow S3's rules for new buckets (3 to 63 lower-case letters, digits, '.' and \
                '-'), checked before anything is sent (exit status 6). A bucket that already exists is an \
                error (exit status 5) unless --ignore-existing is given and it is yours. \
                With --json: {"bucket": "...", "created": true|false}.
                """
        )

        @Argument(help: ArgumentHelp("The bucket to create.", valueName: "s3://bucket"))
        var uri: String

        @Flag(name: .customLong("ignore-existing"), help: "Succeed when the bucket already exists and is yours.")
        var ignoreExisting = false

        @OptionGroup var options: S3Options

        struct Output: Encodable, Equatable {
            var bucket: String
            var created: Bool
        }

        func run() async throws {
            let bucket = try S3Command.bucket(uri, command: "mb")
            try S3URI.validateNewBucketName(bucket)
            let client = try options.makeClient()
            var created = true
            do {
                try await client.createBucket(bucket)
            } catch let error as S3Error where ignoreExisting && error.code == .bucketAlreadyOwnedByYou {
                created = false
            }
            if options.json { return try JSONOutput.print(Output(bucket: bucket, created: created)) }
            StandardOutput.write(created ? "created bucket s3://\(bucket)\n" : "bucket s3://\(bucket) already exists\n")
        }
    }

    /// `mlops s3 rb s3://bucket [--force]`.
    struct RemoveBucket: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rb",
            abstract: "Remove a bucket; with --force, delete its objects first.",
            discussion: """
                Without --force a bucket that still holds objects is not removed (exit status 5). With \
                --force every object is deleted first (1,000 per request) and unfinished multipart \
                uploads are aborted; if some object cannot be deleted, they are listed and the bucket is \
                kept. With --json: {"bucket": "...", "deleted_objects": N}.
                """
        )

        @Argument(help: ArgumentHelp("The bucket to remove.", valueName: "s3://bucket"))
        var uri: String

        @Flag(help: "Delete every object in the bucket first.")
        var force = false

        @OptionGroup var options: S3Options

        /// Every `/`-ended prefix of `keys` (`a/b/c` gives `a/b/` and `a/`), and every key that ends
        /// with `/`, deepest first.
        static func directories(of keys: [String]) -> [String] {
            var directories: Set<String> = []
            for key in keys {
                var prefix = Substring(key)
                if prefix.hasSuffix("/") {
                    directories.insert(key)
                    prefix = prefix.dropLast()
                }
                while let slash = prefix.lastIndex(of: "/") {
                    prefix = prefix[..<slash]
                    directories.insert(String(prefix) + "/")
                }
            }
            return directories.sorted { lhs, rhs in
                let (left, right) = (lhs.utf8.count { $0 == UInt8(ascii: "/") }, rhs.utf8.count { $0 == UInt8(ascii: "/") })
                return left != right ? left > right : lhs < rhs
            }
        }

        /// Listing-and-deleting rounds of `--force`.
        static let maximumRounds = 8

        struct Output: Encodable, Equatable {
            var bucket: String
            var deletedObjects: Int

            enum CodingKeys: String, CodingKey {
                case bucket
                case deletedObjects = "deleted_objects"
            }
        }

        func run() async throws {
            let bucket = try S3Command.bucket(uri, command: "rb")
            let client = try options.makeClient()
            var deletedKeys: [String] = []
            var deleted = 0  // the objects the bucket held; later rounds delete what the gateway left
            if force {
                for upload in try await client.listMultipartUploads(bucket: bucket) {
                    try await client.abortMultipartUpload(bucket: bucket, key: upload.key, uploadID: upload.uploadID)
                }
                // Some gateways over file systems (JuiceFS) leave the emptied directories of deleted keys
                // behind as `dir/` objects: delete what a new listing shows, a few rounds at most.
                var seen: Set<String> = []
                for _ in 0..<Self.maximumRounds {
                    let result = try await Remove.deleteAll(under: "", in: bucket, client: client)
                    try Remove.check(result, bucket: bucket, json: false)
                    if deletedKeys.isEmpty { deleted = result.deleted.count }
                    deletedKeys += result.deletedKeys
                    // Stop when nothing new was listed: keys that come back were not really deleted.
                    guard seen.union(result.deletedKeys).count > seen.count else { break }
                    seen.formUnion(result.deletedKeys)
                }
            }
            do {
                try await client.deleteBucket(bucket)
            } catch let error as S3Error where error.code == .bucketNotEmpty && !deletedKeys.isEmpty {
                // Such gateways may also keep directories that no listing shows, or that only a
                // DeleteObject of their own removes: delete the directory of every deleted key, and
                // every `dir/` key, one by one and deepest first, then try again.
                for directory in Self.directories(of: deletedKeys) {
                    try await client.deleteObject(bucket: bucket, key: directory)
                }
                try await client.deleteBucket(bucket)
            }
            if options.json { return try JSONOutput.print(Output(bucket: bucket, deletedObjects: deleted)) }
            var text = "removed bucket s3://\(bucket)"
            if force { text += " (deleted \(S3Command.count(deleted, "object")))" }
            StandardOutput.write(text + "\n")
        }
    }
}
