import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Checks the client makes before sending, so that nothing the server would reject or silently
/// truncate leaves the process. Every failure is an ``MLflowError`` with code
/// ``MLflowError/Code/invalidArgument`` naming the offending key and the limit.
///
/// Lengths count Unicode scalars, as the server (Python's `len`) does.
enum MLflowValidation {
    /// Letters and digits plus `_ - . space : /`, the characters MLflow allows in keys.
    private static let keyPunctuation: Set<Unicode.Scalar> = ["_", "-", ".", " ", ":", "/"]

    /// Rejects an empty key, a key longer than ``MLflowLimits/maxKeyLength`` or one with other characters.
    static func validateKey(_ key: String, kind: String, endpoint: MLflowEndpoint) throws(MLflowError) {
        guard !key.isEmpty else {
            throw invalid("\(kind) key is empty", endpoint)
        }
        let length = key.unicodeScalars.count
        guard length <= MLflowLimits.maxKeyLength else {
            throw invalid(
                "\(kind) key '\(excerpt(key))' is \(length) characters long; "
                    + "MLflow allows at most \(MLflowLimits.maxKeyLength)",
                endpoint
            )
        }
        if let bad = key.unicodeScalars.first(where: { !isAllowedInKey($0) }) {
            throw invalid(
                "\(kind) key '\(excerpt(key))' contains '\(bad.escaped(asASCII: true))'; MLflow allows only "
                    + "letters, digits, underscores, dashes, periods, spaces, colons and slashes",
                endpoint
            )
        }
    }

    static func validateParam(key: String, value: String, endpoint: MLflowEndpoint) throws(MLflowError) {
        try validateKey(key, kind: "param", endpoint: endpoint)
        let length = value.unicodeScalars.count
        guard length <= MLflowLimits.maxParamValueLength else {
            throw invalid(
                "param '\(key)' value is \(length) characters long; MLflow allows at most "
                    + "\(MLflowLimits.maxParamValueLength) (longer values would be silently truncated)",
                endpoint
            )
        }
    }

    static func validateTag(key: String, value: String, endpoint: MLflowEndpoint) throws(MLflowError) {
        try validateKey(key, kind: "tag", endpoint: endpoint)
        let length = value.unicodeScalars.count
        guard length <= MLflowLimits.maxTagValueLength else {
            throw invalid(
                "tag '\(key)' value is \(length) characters long; MLflow allows at most "
                    + "\(MLflowLimits.maxTagValueLength) (longer values would be silently truncated)",
                endpoint
            )
        }
    }

    static func validateMetric(key: String, endpoint: MLflowEndpoint) throws(MLflowError) {
        try validateKey(key, kind: "metric", endpoint: endpoint)
    }

    /// Rejects a page size outside `1...maximum`.
    static func validateMaxResults(_ value: Int, maximum: Int, endpoint: MLflowEndpoint) throws(MLflowError) {
        guard (1...maximum).contains(value) else {
            throw invalid("maxResults is \(value); it must be between 1 and \(maximum)", endpoint)
        }
    }

    /// Rejects an empty identifier such as a run ID or model name.
    static func validateNotEmpty(_ value: String, name: String, endpoint: MLflowEndpoint) throws(MLflowError) {
        guard !value.isEmpty else {
            throw invalid("\(name) is empty", endpoint)
        }
    }

    private static func isAllowedInKey(_ scalar: Unicode.Scalar) -> Bool {
        keyPunctuation.contains(scalar) || scalar.properties.isAlphabetic
            || scalar.properties.numericType == .decimal
    }

    private static func excerpt(_ key: String) -> String {
        key.count <= 60 ? key : String(key.prefix(57)) + "..."
    }

    private static func invalid(_ message: String, _ endpoint: MLflowEndpoint) -> MLflowError {
        MLflowError(code: .invalidArgument, message: message, endpoint: endpoint.operationName)
    }
}
