import MLOpsCore

/// A source of AWS credentials.
///
/// Providers are asked each time credentials are needed, so one that reads a file or rotates keys can
/// return fresh ones. A provider that has none throws ``CredentialError`` with
/// ``CredentialError/Code/notFound`` (and ``CredentialError/sourcesTried`` saying why), which lets a
/// ``CredentialProviderChain`` try the next; any other error stops the chain.
///
/// A provider's ``description`` names it for logs and errors and never shows a secret; by default it is
/// the type's name.
public protocol CredentialProvider: Sendable, CustomStringConvertible {
    /// The credentials to sign with now.
    ///
    /// - Throws: ``CredentialError`` (the built-in providers), or a custom provider's own error.
    func credentials() async throws -> AWSCredentials
}

extension CredentialProvider {
    /// The provider's type name, such as `VaultCredentialProvider`.
    public var description: String { String(describing: type(of: self)) }
}

/// Fixed credentials, given in code or read from configuration.
public struct StaticCredentialProvider: CredentialProvider {
    private let value: AWSCredentials
    private let sourceName: String

    /// A provider that always returns `credentials`.
    ///
    /// - Parameter sourceName: Where the credentials came from, for ``description``.
    public init(_ credentials: AWSCredentials, sourceName: String = "static credentials") {
        value = credentials
        self.sourceName = sourceName
    }

    /// The credentials given at creation; never throws.
    public func credentials() async throws -> AWSCredentials { value }

    /// `static credentials (access key ***MPLE)`.
    public var description: String { "\(sourceName) (access key \(value.displayAccessKeyID))" }
}
