#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MLOpsCore

/// How a shadow's answer compared with the primary's.
public enum ShadowComparisonResult: String, Sendable, CaseIterable {
    /// Both answered 2xx with the same predictions (numbers within a relative 1e-9).
    case agree
    /// Both answered, with different predictions (or only the primary answered 2xx).
    case disagree
    /// The shadow answered non-2xx, timed out, reset, answered too much or something unparsable, or the
    /// primary gave no complete answer.
    case error
}

/// One side of a shadowed request, as the gateway saw it.
public enum ShadowAnswer: Sendable {
    /// A complete answer with its status and body.
    case answered(status: Int, body: [UInt8])
    /// No complete answer: a timeout, a reset, a body over the limit.
    case failed
}

/// Compares a shadow's answer with the primary's: the JSON documents' `predictions` (the whole
/// documents when the primary's has none), numbers equal within a relative 1e-9.
public enum ShadowComparison {
    /// The relative tolerance of two numbers.
    public static let tolerance = 1e-9

    /// The comparison of `primary` and `shadow`. Decodes both bodies: run it off the event loops.
    public static func compare(primary: ShadowAnswer, shadow: ShadowAnswer) -> ShadowComparisonResult {
        guard case .answered(let shadowStatus, let shadowBody) = shadow, (200...299).contains(shadowStatus),
            let shadowDocument = decode(shadowBody)
        else { return .error }
        guard case .answered(let primaryStatus, let primaryBody) = primary, let primaryDocument = decode(primaryBody) else {
            return .error
        }
        guard (200...299).contains(primaryStatus) else { return .disagree }
        let left = predictions(primaryDocument)
        let right = predictions(shadowDocument)
        return equal(left, right) ? .agree : .disagree
    }

    static func decode(_ body: [UInt8]) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(body))
    }

    static func predictions(_ document: JSONValue) -> JSONValue {
        if case .object(let fields) = document, let predictions = fields["predictions"] { return predictions }
        return document
    }

    /// Structural equality with numbers compared within ``tolerance``.
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)):
            if x == y { return true }
            return abs(x - y) <= tolerance * max(abs(x), abs(y))
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { equal(value, $0) } ?? false }
        default:
            return a == b
        }
    }
}
