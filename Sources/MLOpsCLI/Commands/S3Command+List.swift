import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MLOpsKit

extension S3Command {
    /// `mlops s3 ls [s3://bucket[/prefix]] [--recursive]`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ls",
            abstract: "List buckets, or the objects and prefixes under s3://bucket/prefix.",
            discussion: """
                Without an argument: every bucket, with its creation time. With s3://bucket[/prefix]: the \
                keys starting with the prefix, one level deep ('PRE name/' for the common prefixes, then \
                objects with their time, size and name), or every key below it with --recursive. Times \
                are UTC.

                With --json: {"buckets": [{"name", "creation_date"}]} or {"bucket", "prefix", \
                "common_prefixes": [...], "objects": [{"key", "size", "last_modified", "etag", \
                "storage_class"}], "total_objects", "total_size"}, with full keys.
                """
        )

        @Argument(help: ArgumentHelp("s3://bucket or s3://bucket/prefix (default: list the buckets).", valueName: "s3-uri"))
        var uri: String?

        @Flag(help: "List every key below the prefix instead of one level.")
        var recursive = false

        @Flag(name: .customLong("human-readable"), help: "Show sizes as KiB, MiB, GiB…")
        var humanReadable = false

        @Flag(help: "End with the number of objects and their total size.")
        var summarize = false

        @OptionGroup var options: S3Options

        /// The JSON output of a bucket listing.
        struct BucketsOutput: Encodable, Equatable {
            struct Bucket: Encodable, Equatable {
                var name: String
                var creationDate: String?

                enum CodingKeys: String, CodingKey {
                    case name
                    case creationDate = "creation_date"
                }

                func encode(to encoder: any Encoder) throws {
                    var container = encoder.container(keyedBy: CodingKeys.self)
                    try container.encode(name, forKey: .name)
                    try container.encode(creationDate, forKey: .creationDate)  // null, not omitted
                }
            }

            var buckets: [Bucket]
        }

        /// The JSON output of an object listing.
        struct ObjectsOutput: Encodable, Equatable {
            struct Object: Encodable, Equatable {
                var key: String
                var size: Int64
                var lastModified: String?
                var eTag: String?
                var storageClass: String?

                enum CodingKeys: String, CodingKey {
                    case key, size
                    case lastModified = "last_modified"
                    case eTag = "etag"
                    case storageClass = "storage_class"
                }

                func encode(to encoder: any Encoder) throws {
                    var container = encoder.container(keyedBy: CodingKeys.self)
                    try container.encode(key, forKey: .key)
                    try container.encode(size, forKey: .size)
                    try container.encode(lastModified, forKey: .lastModified)
                    try container.encode(eTag, forKey: .eTag)
                    try container.encode(storageClass, forKey: .storageClass)
                }
            }

            var bucket: String
            var prefix: String
            var commonPrefixes: [String]
            var objects: [Object]
            var totalObjects: Int
            var totalSize: Int64

            enum CodingKeys: String, CodingKey {
                case bucket, prefix, objects
                case commonPrefixes = "common_prefixes"
                case totalObjects = "total_objects"
                case totalSize = "total_size"
            }
        }

        func run() async throws {
            let target = try uri.map(S3Command.uri)
            let client = try options.makeClient()
            guard let target else { return try await listBuckets(client) }
            try await listObjects(target, client)
        }

        private func listBuckets(_ client: S3Client) async throws {
            let buckets = try await client.listBuckets()
            if options.json {
                return try JSONOutput.print(
                    BucketsOutput(buckets: buckets.map { .init(name: $0.name, creationDate: Self.isoDate($0.creationDate)) }))
            }
            StandardOutput.write(buckets.map { "\(Self.listingDate($0.creationDate)) \($0.name)\n" }.joined())
        }

        private func listObjects(_ target: S3URI, _ client: S3Client) async throws {
            let prefix = target.key
            // Names are shown relative to the prefix's "directory", as `aws s3 ls` does.
            let shownFrom = recursive ? 0 : (prefix.lastIndex(of: "/").map { prefix.utf8.distance(from: prefix.startIndex, to: $0) + 1 } ?? 0)
            func shown(_ key: String) -> String {
                String(decoding: key.utf8.dropFirst(shownFrom), as: UTF8.self)
            }
            var json = ObjectsOutput(
                bucket: target.bucket, prefix: prefix, commonPrefixes: [], objects: [], totalObjects: 0, totalSize: 0)
            let pages = client.listObjectPages(bucket: target.bucket, prefix: prefix, delimiter: recursive ? nil : "/")
            for try await page in pages {
                json.totalObjects += page.objects.count
                json.totalSize += page.objects.reduce(0) { $0 + $1.size }
                if options.json {
                    json.commonPrefixes += page.commonPrefixes
                    json.objects += page.objects.map {
                        .init(
                            key: $0.key, size: $0.size, lastModified: Self.isoDate($0.lastModified), eTag: $0.eTag,
                            storageClass: $0.storageClass)
                    }
                    continue
                }
                var text = ""
                for commonPrefix in page.commonPrefixes {
                    text += String(repeating: " ", count: 27) + "PRE " + shown(commonPrefix) + "\n"
                }
                for object in page.objects {
                    text += "\(Self.listingDate(object.lastModified)) \(Self.padded(size(object.size), 10)) \(shown(object.key))\n"
                }
                StandardOutput.write(text)
            }
            if options.json { return try JSONOutput.print(json) }
            if summarize {
                StandardOutput.write("\nTotal Objects: \(json.totalObjects)\n   Total Size: \(size(json.totalSize))\n")
            }
        }

        /// A size as bytes, or with a binary unit under `--human-readable`.
        private func size(_ bytes: Int64) -> String {
            humanReadable ? TransferProgressLine.size(bytes) : String(bytes)
        }

        /// `2025-01-02 03:04:05` in UTC, or 19 spaces when unknown.
        static func listingDate(_ date: Date?) -> String {
            guard let iso = isoDate(date) else { return String(repeating: " ", count: 19) }
            return String(iso.prefix(19).map { $0 == "T" ? " " : $0 })
        }

        /// `2025-01-02T03:04:05Z`, or `nil` when unknown.
        static func isoDate(_ date: Date?) -> String? {
            date.map { $0.formatted(Date.ISO8601FormatStyle(timeZone: .gmt)) }
        }

        /// `text` right-aligned in `width` columns.
        static func padded(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
        }
    }
}
