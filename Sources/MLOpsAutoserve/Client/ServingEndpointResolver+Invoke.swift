import MLOpsCore
import MLOpsServing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A prediction and where it came from.
public struct ServedPrediction: Sendable, Hashable {
    /// The endpoint that answered.
    public var endpoint: ServingEndpoint
    /// Its answer.
    public var response: ModelServerResponse
    /// Whether the first endpoint refused the connection and the key was resolved again.
    public var resolvedAgain: Bool
}

extension ServingEndpointResolver {
    /// Sends `input` to whatever serves `key`.
    ///
    /// When the connection to the endpoint found is refused (its instance was replaced between
    /// resolving and sending, as a make-before-break switch does), `key` is resolved once more and
    /// the request sent there: it had not reached any server, so it cannot run twice.
    ///
    /// - Parameter makeClient: The client for an endpoint (transport, timeout).
    /// - Throws: ``ServingEndpointResolverError`` or ``ModelServerError``.
    public func invoke(
        _ key: ServingKey, input: ModelServerInput, makeClient: @Sendable (URL) -> ModelServerClient
    ) async throws -> ServedPrediction {
        let endpoint = try await resolve(key)
        do {
            let response = try await makeClient(endpoint.url).invoke(input)
            return ServedPrediction(endpoint: endpoint, response: response, resolvedAgain: false)
        } catch .unreachable(_, _, requestWasNotSent: true) {
            let again = try await resolve(key)
            let response = try await makeClient(again.url).invoke(input)
            return ServedPrediction(endpoint: again, response: response, resolvedAgain: true)
        }
    }
}
