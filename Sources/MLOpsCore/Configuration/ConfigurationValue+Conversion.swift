#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension ConfigurationValue {
    private var trimmed: String { value.trimmingWhitespace() }

    /// An absolute URL with a scheme.
    func url() throws(ConfigurationError) -> URL {
        guard let url = URL(string: trimmed), let scheme = url.scheme, !scheme.isEmpty else {
            throw ConfigurationError(.invalidURL, self, expected: "expected an absolute URL such as s3://bucket/")
        }
        return url
    }

    /// An `http` or `https` URL with a host.
    func httpURL() throws(ConfigurationError) -> URL {
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty
        else {
            throw ConfigurationError(.invalidURL, self, expected: "expected an http:// or https:// URL with a host")
        }
        return url
    }

    /// An S3 endpoint: an `http` or `https` URL with a host, or `nil` for the word `aws` (in any case)
    /// when `allowingAWS`, meaning AWS S3's own endpoints.
    func s3EndpointURL(allowingAWS: Bool) throws(ConfigurationError) -> URL? {
        guard allowingAWS else { return try httpURL() }
        if trimmed.lowercased() == "aws" { return nil }
        do {
            return try httpURL()
        } catch {
            var error = error
            error.detail += ", or aws for AWS S3"
            throw error
        }
    }

    /// A decimal integer in `range`.
    func integer(in range: some RangeExpression<Int>) throws(ConfigurationError) -> Int {
        guard let number = Int(trimmed) else {
            throw ConfigurationError(.invalidInteger, self, expected: "expected a whole number")
        }
        guard range.contains(number) else {
            throw ConfigurationError(.outOfRange, self, expected: "expected \(Self.describe(range))")
        }
        return number
    }

    /// A TCP port: 1–65535.
    func port() throws(ConfigurationError) -> Int {
        try integer(in: 1...65535)
    }

    /// The most seconds ``positiveSeconds()`` accepts.
    static let maximumSeconds: Double = 1_000_000_000

    /// A positive, finite number of seconds, at most ``maximumSeconds``.
    func positiveSeconds() throws(ConfigurationError) -> Duration {
        guard let seconds = Double(trimmed), seconds.isFinite else {
            throw ConfigurationError(.invalidNumber, self, expected: "expected a number of seconds such as 30 or 2.5")
        }
        // Duration traps beyond about 1.7e20 seconds; no timeout needs more than a billion (31 years).
        guard seconds > 0, seconds <= Self.maximumSeconds else {
            throw ConfigurationError(.outOfRange, self, expected: "expected more than 0 and at most 1000000000 seconds")
        }
        return .seconds(seconds)
    }

    /// `true`/`1`/`yes` or `false`/`0`/`no`, in any case.
    func boolean() throws(ConfigurationError) -> Bool {
        switch trimmed.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw ConfigurationError(.invalidBoolean, self, expected: "expected true, false, 1, 0, yes or no")
        }
    }

    /// The comma-separated items, trimmed, empty ones dropped.
    func list() -> [String] {
        // Split on scalars, not Characters: a comma after a prepended mark (U+0600–U+0605) is part of
        // that mark's Character.
        value.unicodeScalars.split(separator: ",").map { Substring($0).trimmingWhitespace() }.filter { !$0.isEmpty }
    }

    private static func describe(_ range: some RangeExpression<Int>) -> String {
        switch range {
        case let range as ClosedRange<Int>: "a number from \(range.lowerBound) to \(range.upperBound)"
        case let range as PartialRangeFrom<Int>: "a number of at least \(range.lowerBound)"
        default: "a number in \(range)"
        }
    }
}
