import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MLOpsKit

/// `mlops s3 …`: buckets and objects of the configured S3 endpoint, with the names `aws s3` uses.
struct S3Command: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "s3",
        abstract: "List, copy and delete S3 objects; create and remove buckets; presign URLs.",
        discussion: """
            Objects are named s3://bucket/key. The endpoint, region and credentials come from the \
            configuration: MLFLOW_S3_ENDPOINT_URL (or --endpoint-url), AWS_REGION (or --region), \
            AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN from the environment or the \
            .env file, else the shared credentials file (~/.aws/credentials, AWS_PROFILE).

            Exit statuses: 3 when a bucket or key does not exist, 6 for a malformed s3:// URI, 7 when the \
            server refuses the credentials (wrong secret, unknown access key, access denied).
            """,
        subcommands: [List.self, Copy.self, Remove.self, MakeBucket.self, RemoveBucket.self, Presign.self]
    )

    /// `argument` as an S3 URI.
    ///
    /// - Throws: `S3URIError` naming the argument (exit status 6).
    static func uri(_ argument: String) throws(S3URIError) -> S3URI {
        try S3URI(parsing: argument)
    }

    /// `argument` as a bucket: an S3 URI without a key (`s3://bucket` or `s3://bucket/`).
    ///
    /// - Throws: `S3URIError` naming the argument (exit status 6).
    static func bucket(_ argument: String, command: String) throws(S3URIError) -> String {
        let uri = try S3URI(parsing: argument)
        guard uri.isBucket else {
            throw S3URIError(input: argument, reason: "'mlops s3 \(command)' takes a bucket, s3://bucket, without a key")
        }
        return uri.bucket
    }

    /// `count noun` or `count nouns`.
    static func count(_ count: Int, _ noun: String) -> String {
        count == 1 ? "1 \(noun)" : "\(count) \(noun)s"
    }
}

/// Where a `mlops s3 cp` argument points: a local path or an S3 URI.
enum S3Location: Sendable, Equatable, CustomStringConvertible {
    case local(String)
    case s3(S3URI)

    /// An argument starting with `s3:` (in any case) is an S3 URI, anything else a local path, so a
    /// mistyped `s3:/bucket/key` is reported rather than taken for a file name.
    ///
    /// - Throws: `S3URIError` for an argument that starts with `s3:` but is not a valid S3 URI.
    init(argument: String) throws(S3URIError) {
        self = S3URI.looksLikeS3URI(argument) ? .s3(try S3URI(parsing: argument)) : .local(argument)
    }

    var description: String {
        switch self {
        case .local(let path): path
        case .s3(let uri): uri.description
        }
    }
}
