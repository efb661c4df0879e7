import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsServing
@testable import MLOpsAutoserve

@Suite("The agent's exit statuses")
struct AutoserveAgentExitTests {
    static func transportError(_ code: HTTPTransportError.Code) -> HTTPTransportError {
        HTTPTransportError(code: code, method: .get, redactedURL: "http://127.0.0.1:5000/api", detail: "")
    }

    @Test("anything a server sent back, too large or malformed, is a registry that could not be read: 4")
    func serverFailuresAreUnreachable() {
        for code in [HTTPTransportError.Code.couldNotConnect, .timedOut, .connectionLost, .responseTooLarge, .tls, .other] {
            #expect(AutoserveAgentExit.status(for: Self.transportError(code)) == AutoserveAgentExit.unreachable, "\(code)")
        }
    }

    @Test("a request that could not be made is a failure of its own: 1; configuration errors 7")
    func otherFailures() {
        #expect(AutoserveAgentExit.status(for: Self.transportError(.invalidRequest)) == AutoserveAgentExit.notReady)
        #expect(AutoserveAgentExit.status(for: Self.transportError(.localFile)) == AutoserveAgentExit.notReady)
        #expect(AutoserveAgentExit.status(for: AutoserveAgentError.webhookSecretFileUnreadable(path: "/run/secrets/webhook")) == AutoserveAgentExit.configuration)
    }
}
