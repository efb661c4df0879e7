@testable import MLOpsAutoserve
import MLOpsKit
@testable import MLOpsMLflow
import Testing

@Suite struct GatewayRequestTargetTests {
    let iris = ServingKey(model: "iris", alias: "Production")
    var names: StableNameIndex { StableNameIndex(keys: [iris, ServingKey(model: "iris", alias: "Challenger")]) }

    @Test func thePathFormNamesTheKeyAndForwardsTheScoringPathWithItsQuery() {
        #expect(
            GatewayRequestTarget.parse(method: "POST", uri: "/models/iris/Production/invocations?format=json", host: nil, names: names)
                == .key(iris, handler: "/invocations", path: "/invocations?format=json"))
        #expect(
            GatewayRequestTarget.parse(method: "GET", uri: "/models/my%20model/Prod%2Fuction/ping", host: "127.0.0.1:8081", names: names)
                == .key(ServingKey(model: "my model", alias: "Prod/uction"), handler: "/ping", path: "/ping"))
    }

    @Test func aWrongMethodIs405WithTheMethodsTheEndpointTakes() {
        #expect(
            GatewayRequestTarget.parse(method: "GET", uri: "/models/iris/Production/invocations", host: nil, names: names)
                == .methodNotAllowed(allow: ["POST"]))
        #expect(
            GatewayRequestTarget.parse(method: "POST", uri: "/models/iris/Production/ping", host: nil, names: names)
                == .methodNotAllowed(allow: ["GET", "HEAD"]))
    }

    @Test func malformedPathsAreNotFoundWithAMessageThatSaysTheForm() {
        for uri in ["/models/iris/Production", "/models/iris/Production/predict", "/models//Production/ping",
                    "/models/iris/Production/ping/extra", "/models/%zz/Production/ping", "/models/%C3%28/Production/ping"] {
            guard case .notFound(let message) = GatewayRequestTarget.parse(method: "GET", uri: uri, host: nil, names: names) else {
                Issue.record("\(uri) was routed")
                continue
            }
            #expect(!message.isEmpty)
        }
    }

    @Test func theOriginalStacksHostNameReachesItsKey() {
        #expect(
            GatewayRequestTarget.parse(method: "POST", uri: "/invocations", host: "mlflow-serve-iris-production:8080", names: names)
                == .key(iris, handler: "/invocations", path: "/invocations"))
        #expect(
            GatewayRequestTarget.parse(method: "GET", uri: "/ping", host: "MLFLOW-SERVE-IRIS-CHALLENGER", names: names)
                == .key(ServingKey(model: "iris", alias: "Challenger"), handler: "/ping", path: "/ping"))
        guard case .notFound = GatewayRequestTarget.parse(method: "POST", uri: "/invocations", host: "127.0.0.1:8081", names: names)
        else { Issue.record("an IP address routed"); return }
        guard case .notFound = GatewayRequestTarget.parse(method: "POST", uri: "/invocations", host: "[::1]:8081", names: names)
        else { Issue.record("an IPv6 address routed"); return }
    }

    @Test func aHostNameTwoKeysShareIsNotRoutedToEither() {
        let names = StableNameIndex(keys: [ServingKey(model: "a-b", alias: "Production"), ServingKey(model: "a", alias: "b-Production")])
        guard case .notFound(let message) = GatewayRequestTarget.parse(
            method: "POST", uri: "/invocations", host: "mlflow-serve-a-b-production", names: names)
        else { Issue.record("routed"); return }
        #expect(message.contains("a-b/Production") && message.contains("a/b-Production"))
    }

    @Test func percentDecodingRejectsWhatIsNotUTF8OrNotHex() {
        #expect(PercentEncoding.decode("a%20b%2Fc") == "a b/c")
        #expect(PercentEncoding.decode("plain") == "plain")
        #expect(PercentEncoding.decode("%") == nil)
        #expect(PercentEncoding.decode("%4") == nil)
        #expect(PercentEncoding.decode("%g0") == nil)
        #expect(PercentEncoding.decode("%FF") == nil)
        #expect(PercentEncoding.decode(PercentEncoding.encode("é/ü ?")) == "é/ü ?")
    }
}
