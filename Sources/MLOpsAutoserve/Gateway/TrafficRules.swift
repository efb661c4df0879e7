import MLOpsCore

/// A canary split: a share of the requests for one alias goes to the instance serving another alias
/// of the same model, for every model that has both aliases served.
///
/// `Production=Challenger:10` sends 10 % of the requests for `(model, Production)` to the instance
/// serving `(model, Challenger)`; the share is kept in basis points (1/100 of a percent), so
/// `Production=Challenger:2.5` is 250.
public struct CanaryRule: Sendable, Hashable, CustomStringConvertible {
    /// The alias the requests ask for.
    public var primary: String
    /// The alias whose instance answers the share.
    public var canary: String
    /// The share, in 1/10,000 of the requests (0…10,000).
    public var basisPoints: Int

    public init(primary: String, canary: String, basisPoints: Int) {
        self.primary = primary
        self.canary = canary
        self.basisPoints = min(10_000, max(0, basisPoints))
    }

    /// `Production=Challenger:10`, the share as a percentage with up to two decimals.
    public var description: String {
        let whole = basisPoints / 100
        let hundredths = basisPoints % 100
        let share = hundredths == 0 ? "\(whole)" : hundredths % 10 == 0 ? "\(whole).\(hundredths / 10)" : "\(whole).\(hundredths < 10 ? "0" : "")\(hundredths)"
        return "\(primary)=\(canary):\(share)"
    }

    /// Reads a comma-separated list such as `Production=Challenger:10,Staging=B:2.5`; empty entries are
    /// skipped.
    ///
    /// - Throws: ``TrafficRuleError`` for the first entry that does not read.
    public static func parseList(_ text: String) throws(TrafficRuleError) -> [CanaryRule] {
        var rules: [CanaryRule] = []
        for entry in text.split(separator: ",") {
            let entry = entry.trimmingWhitespace()
            guard !entry.isEmpty else { continue }
            let (primary, rest) = try TrafficRuleError.aliasPair(entry)
            guard let colon = rest.lastIndex(of: ":") else { throw .malformed(entry: entry) }
            let canary = rest[..<colon].trimmingWhitespace()
            guard !canary.isEmpty else { throw .malformed(entry: entry) }
            guard canary != primary else { throw .sameAlias(entry: entry) }
            guard let basisPoints = basisPoints(rest[rest.index(after: colon)...].trimmingWhitespace()) else {
                throw .percentOutOfRange(entry: entry)
            }
            guard !rules.contains(where: { $0.primary == primary }) else { throw .duplicate(alias: primary) }
            rules.append(CanaryRule(primary: primary, canary: canary, basisPoints: basisPoints))
        }
        return rules
    }

    /// A percentage with at most two decimals (`10`, `2.5`, `0.01`) in basis points; `nil` when it is
    /// not a number of that form or is outside 0…100.
    static func basisPoints(_ text: String) -> Int? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let wholeText = parts.first, !wholeText.isEmpty, wholeText.count <= 3,
            wholeText.allSatisfy({ $0.isASCII && $0.isNumber }), let whole = Int(wholeText)
        else { return nil }
        var fraction = 0
        if parts.count == 2 {
            let digits = parts[1]
            guard (1...2).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(digits) else {
                return nil
            }
            fraction = digits.count == 1 ? value * 10 : value
        }
        let total = whole * 100 + fraction
        return (0...10_000).contains(total) ? total : nil
    }
}

/// A canary split in effect: `model` has both aliases of ``rule`` served.
public struct ActiveCanary: Sendable, Hashable {
    public var model: String
    public var rule: CanaryRule

    public init(model: String, rule: CanaryRule) {
        self.model = model
        self.rule = rule
    }
}

/// A shadow: a copy of each request for one alias also goes to the instance serving another alias of
/// the same model; that answer is compared and dropped, never waited for.
public struct ShadowRule: Sendable, Hashable, CustomStringConvertible {
    /// The alias the requests ask for (its instance answers them).
    public var primary: String
    /// The alias whose instance gets the copies.
    public var shadow: String

    public init(primary: String, shadow: String) {
        self.primary = primary
        self.shadow = shadow
    }

    /// `Production=Test`.
    public var description: String { "\(primary)=\(shadow)" }

    /// Reads a comma-separated list such as `Production=Test,Staging=Next`; empty entries are skipped.
    ///
    /// - Throws: ``TrafficRuleError`` for the first entry that does not read.
    public static func parseList(_ text: String) throws(TrafficRuleError) -> [ShadowRule] {
        var rules: [ShadowRule] = []
        for entry in text.split(separator: ",") {
            let entry = entry.trimmingWhitespace()
            guard !entry.isEmpty else { continue }
            let (primary, shadow) = try TrafficRuleError.aliasPair(entry)
            guard !shadow.isEmpty, !shadow.contains(":") else { throw .malformed(entry: entry) }
            guard shadow != primary else { throw .sameAlias(entry: entry) }
            guard !rules.contains(where: { $0.primary == primary }) else { throw .duplicate(alias: primary) }
            rules.append(ShadowRule(primary: primary, shadow: shadow))
        }
        return rules
    }
}

/// Why a canary or shadow list does not read.
public enum TrafficRuleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The entry is not `ALIAS=ALIAS` (a canary: `ALIAS=ALIAS:PERCENT`).
    case malformed(entry: String)
    /// The percentage is not a number from 0 to 100 with at most two decimals.
    case percentOutOfRange(entry: String)
    /// Both sides name the same alias.
    case sameAlias(entry: String)
    /// Two entries start from the same alias.
    case duplicate(alias: String)

    public var description: String {
        switch self {
        case .malformed(let entry): "'\(entry)' is not ALIAS=ALIAS (a canary: ALIAS=ALIAS:PERCENT)"
        case .percentOutOfRange(let entry): "'\(entry)': the percentage must be a number from 0 to 100 with at most two decimals"
        case .sameAlias(let entry): "'\(entry)' names the same alias on both sides"
        case .duplicate(let alias): "two entries start from the alias \(alias)"
        }
    }

    /// Whether the error is about a value's range rather than its form.
    public var isRange: Bool {
        if case .percentOutOfRange = self { true } else { false }
    }

    /// The alias before `=` and the (trimmed) text after it.
    static func aliasPair(_ entry: String) throws(TrafficRuleError) -> (String, String) {
        guard let equals = entry.firstIndex(of: "=") else { throw .malformed(entry: entry) }
        let primary = entry[..<equals].trimmingWhitespace()
        let rest = entry[entry.index(after: equals)...].trimmingWhitespace()
        guard !primary.isEmpty, !rest.isEmpty, !rest.contains("=") else { throw .malformed(entry: entry) }
        return (primary, rest)
    }
}
