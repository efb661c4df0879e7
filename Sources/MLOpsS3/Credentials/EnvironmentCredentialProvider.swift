import MLOpsCore
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
///
/// An empty variable counts as unset. Neither key set is ``CredentialError/Code/notFound``; only one of the
/// two is ``CredentialError/Code/incomplete``, an error a chain does not skip, since it is almost always a
/// typo worth hearing about.
public struct EnvironmentCredentialProvider: CredentialProvider, CustomReflectable {
    /// `AWS_ACCESS_KEY_ID`.
    public static let accessKeyIDVariable = "AWS_ACCESS_KEY_ID"
    /// `AWS_SECRET_ACCESS_KEY`.
    public static let secretAccessKeyVariable = "AWS_SECRET_ACCESS_KEY"
    /// `AWS_SESSION_TOKEN`.
    public static let sessionTokenVariable = "AWS_SESSION_TOKEN"

    private let accessKeyID: String?
    private let secretAccessKey: String?
    private let sessionToken: String?
    private let sourceName: String

    /// A provider reading the three variables from `environment` (by default the process's environment
    /// when the provider is made). Only those three values are kept.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.init(environment: environment, sourceName: "environment")
    }

    /// A provider over the same three variables taken from somewhere else, such as a loaded configuration.
    init(environment: [String: String], sourceName: String) {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        accessKeyID = value(Self.accessKeyIDVariable)
        secretAccessKey = value(Self.secretAccessKeyVariable)
        sessionToken = value(Self.sessionTokenVariable)
        self.sourceName = sourceName
    }

    /// The credentials the three variables hold.
    ///
    /// - Throws: ``CredentialError`` with ``CredentialError/Code/notFound`` or
    ///   ``CredentialError/Code/incomplete``.
    public func credentials() async throws -> AWSCredentials {
        try resolve()
    }

    /// The credentials, or the error saying which variable is missing.
    func resolve() throws(CredentialError) -> AWSCredentials {
        switch (accessKeyID, secretAccessKey) {
        case (let key?, let secret?):
            return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: sessionToken)
        case (nil, nil):
            throw .notFound(
                source: sourceName,
                reason: "\(Self.accessKeyIDVariable) and \(Self.secretAccessKeyVariable) not set")
        case (_?, nil):
            throw CredentialError(
                code: .incomplete, source: sourceName,
                detail: "\(Self.accessKeyIDVariable) is set but \(Self.secretAccessKeyVariable) is not")
        case (nil, _?):
            throw CredentialError(
                code: .incomplete, source: sourceName,
                detail: "\(Self.secretAccessKeyVariable) is set but \(Self.accessKeyIDVariable) is not")
        }
    }

    /// Only the ``description``: dumping the provider never shows the secret or the token.
    public var customMirror: Mirror {
        Mirror(self, children: ["description": description])
    }

    /// `environment (AWS_ACCESS_KEY_ID ***MPLE)` or `environment (AWS_ACCESS_KEY_ID not set)`.
    public var description: String {
        let key = accessKeyID.map { ConfigurationKey.awsAccessKeyID.displayValue(for: $0) } ?? "not set"
        return "\(sourceName) (\(Self.accessKeyIDVariable) \(key))"
    }
}
