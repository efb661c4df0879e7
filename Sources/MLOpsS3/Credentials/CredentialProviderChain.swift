import MLOpsCore
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Providers tried in order: the first that has credentials wins.
///
/// A provider that throws ``CredentialError/Code/notFound`` is skipped; any other error (a malformed
/// credentials file, half a key pair) stops the chain, so a mistake is reported instead of silently
/// falling through to other credentials. When no provider has credentials the chain throws
/// ``CredentialError/Code/notFound`` listing every source tried and why each had nothing.
public struct CredentialProviderChain: CredentialProvider {
    /// The providers, in the order they are tried.
    public let providers: [any CredentialProvider]

    /// A chain of `providers`, tried in order.
    public init(_ providers: [any CredentialProvider]) {
        self.providers = providers
    }

    /// The environment (`AWS_ACCESS_KEY_ID`…), then the shared credentials file (`AWS_PROFILE` or
    /// `default`, from `AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`).
    public static func standard(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> CredentialProviderChain {
        CredentialProviderChain([
            EnvironmentCredentialProvider(environment: environment),
            SharedCredentialsFileProvider(environment: environment),
        ])
    }

    /// The first credentials a provider returns.
    ///
    /// - Throws: The first error other than ``CredentialError/Code/notFound``, or ``CredentialError`` with
    ///   ``CredentialError/Code/notFound`` and ``CredentialError/sourcesTried`` when no provider has any.
    public func credentials() async throws -> AWSCredentials {
        var tried: [String] = []
        for provider in providers {
            do {
                return try await provider.credentials()
            } catch let error as CredentialError where error.code == .notFound {
                tried += error.sourcesTried.isEmpty ? [provider.description] : error.sourcesTried
            }
        }
        throw CredentialError(code: .notFound, sourcesTried: tried, detail: tried.isEmpty ? "the chain is empty" : "")
    }

    /// `CredentialProviderChain(environment (AWS_ACCESS_KEY_ID not set), shared credentials file …)`.
    public var description: String {
        "CredentialProviderChain(" + providers.map(\.description).joined(separator: ", ") + ")"
    }
}
