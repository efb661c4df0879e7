#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MLOpsKit

/// Parsing of the structured values some flags take (`key=value@step`, comma lists, candidate sets).
///
/// A value that does not parse is a ``CLIError`` with exit status 6 that names the flag and the value,
/// thrown before anything is sent.
enum ArgumentParsing {
    /// `key=value`, split at the first `=`; the value may contain `=` and `@`, and may be empty.
    static func keyValue(_ argument: String, flag: String) throws(CLIError) -> (key: String, value: String) {
        guard let equals = argument.firstIndex(of: "=") else {
            throw .invalid("\(flag) '\(argument)' is not of the form key=value")
        }
        let key = String(argument[..<equals])
        guard !key.isEmpty else {
            throw .invalid("\(flag) '\(argument)' has an empty key")
        }
        return (key, String(argument[argument.index(after: equals)...]))
    }

    /// `key=value` or `key=value@step` for `--metric`: the value a number (`nan`, `inf` and `-inf`
    /// included), the step a whole number, 0 when left out.
    static func metric(_ argument: String, timestamp: Int64, flag: String = "--metric") throws(CLIError) -> Metric {
        let (key, rest) = try keyValue(argument, flag: flag)
        var valueText = Substring(rest)
        var step: Int64 = 0
        if let at = rest.lastIndex(of: "@") {
            valueText = rest[..<at]
            let stepText = rest[rest.index(after: at)...]
            guard let parsed = Int64(stepText) else {
                throw .invalid("\(flag) '\(argument)': step '\(stepText)' is not a whole number")
            }
            step = parsed
        }
        guard let value = Double(valueText) else {
            throw .invalid("\(flag) '\(argument)': value '\(valueText)' is not a number")
        }
        return Metric(key: key, value: value, timestamp: timestamp, step: step)
    }

    /// `key=value` for `--param`.
    static func param(_ argument: String, flag: String = "--param") throws(CLIError) -> Param {
        let (key, value) = try keyValue(argument, flag: flag)
        return Param(key: key, value: value)
    }

    /// `key=value` for `--tag`.
    static func tag(_ argument: String, flag: String = "--tag") throws(CLIError) -> RunTag {
        let (key, value) = try keyValue(argument, flag: flag)
        return RunTag(key: key, value: value)
    }

    /// A comma-separated list with items trimmed and empty items dropped; at least one item.
    static func list(_ argument: String, flag: String) throws(CLIError) -> [String] {
        let items = argument.split(separator: ",")
            .map { item in String(item.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()) }
            .filter { !$0.isEmpty }
        guard !items.isEmpty else {
            throw .invalid(
                "\(flag) '\(argument)' names nothing; give a comma-separated list such as dev,test,Production")
        }
        return items
    }

    /// `all`, `alias:NAME` or `latest:N` for `--candidates`.
    static func candidates(_ argument: String, flag: String = "--candidates") throws(CLIError) -> PromotionCandidates {
        guard let candidates = PromotionCandidates(argument: argument) else {
            throw .invalid("\(flag) '\(argument)' must be all, alias:NAME or latest:N (N at least 1)")
        }
        return candidates
    }

    /// A model version number such as `3`.
    static func version(_ argument: String, flag: String = "--version") throws(CLIError) -> String {
        guard let number = Int(argument), number > 0 else {
            throw .invalid("\(flag) '\(argument)' is not a model version number such as 3")
        }
        return String(number)
    }
}
