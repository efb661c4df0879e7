import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How ``MLflowClient`` authenticates to the tracking server.
///
/// Neither ``description`` nor `debugDescription` nor `dump` ever shows a password or token.
///
/// ```swift
/// let credentials = MLflowCredentials.basic(username: "alice", password: secret)
/// ```
public struct MLflowCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    private enum Storage: Sendable, Equatable {
        case none
        case basic(username: String, password: String)
        case bearer(token: String)
    }

    private let storage: Storage

    private init(_ storage: Storage) { self.storage = storage }

    /// No `Authorization` header is sent.
    public static let none = MLflowCredentials(.none)

    /// HTTP basic authentication, as MLflow's `basic-auth` app expects (the Python client's
    /// `MLFLOW_TRACKING_USERNAME` / `MLFLOW_TRACKING_PASSWORD`).
    public static func basic(username: String, password: String) -> MLflowCredentials {
        MLflowCredentials(.basic(username: username, password: password))
    }

    /// A bearer token (`MLFLOW_TRACKING_TOKEN`), for servers behind a token-checking proxy.
    /// MLflow's own `basic-auth` app rejects bearer tokens with 401.
    public static func bearer(token: String) -> MLflowCredentials {
        MLflowCredentials(.bearer(token: token))
    }

    /// The value of the `Authorization` header, or `nil` for ``none``.
    var authorizationHeaderValue: String? {
        switch storage {
        case .none:
            nil
        case .basic(let username, let password):
            "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
        case .bearer(let token):
            "Bearer " + token
        }
    }

    public var description: String {
        switch storage {
        case .none: "MLflowCredentials.none"
        case .basic(let username, _): "MLflowCredentials.basic(username: \(username), password: \(Redaction.mask))"
        case .bearer: "MLflowCredentials.bearer(token: \(Redaction.mask))"
        }
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror { Mirror(self, children: ["kind": description]) }
}
