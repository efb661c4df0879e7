import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsServing

@Suite("Docker API version negotiation")
struct DockerAPIVersionTests {
    private func v(_ text: String) -> DockerAPIVersion { DockerAPIVersion(text)! }

    @Test func parsesAndOrders() {
        #expect(DockerAPIVersion("1.41") == DockerAPIVersion(1, 41))
        #expect(DockerAPIVersion("1.9")! < DockerAPIVersion("1.41")!, "numeric, not lexical")
        #expect(DockerAPIVersion("2.0")! > DockerAPIVersion("1.99")!)
        for bad in ["", "1", "1.", "v1.41", "1.41.0", "a.b", "-1.2"] {
            #expect(DockerAPIVersion(bad) == nil, "\(bad)")
        }
        #expect(DockerAPIVersion(1, 44).description == "1.44")
    }

    @Test func engine2010SpeaksItsOwnMaximum() throws {
        // Engine 20.10: ApiVersion 1.41, MinAPIVersion 1.12.
        #expect(try DockerAPIVersion.negotiate(serverMaximum: v("1.41"), serverMinimum: v("1.12")) == v("1.41"))
    }

    @Test func engine29GetsTheClientMaximum() throws {
        // Engine 29 speaks up to 1.52 and refuses anything below 1.44.
        let chosen = try DockerAPIVersion.negotiate(serverMaximum: v("1.52"), serverMinimum: v("1.44"))
        #expect(chosen == DockerAPIVersion.clientMaximum)
        #expect(chosen >= v("1.44"))
    }

    @Test func betweenBothMaximaTheServersWins() throws {
        #expect(try DockerAPIVersion.negotiate(serverMaximum: v("1.45"), serverMinimum: v("1.44")) == v("1.45"))
        #expect(try DockerAPIVersion.negotiate(serverMaximum: v("1.43"), serverMinimum: nil) == v("1.43"))
    }

    @Test func neverBelowTheServersMinimum() {
        // A future Engine whose minimum is above what this client speaks.
        #expect(throws: DockerError.unsupportedAPIVersion(server: "1.60", serverMinimum: "1.50")) {
            try DockerAPIVersion.negotiate(serverMaximum: v("1.60"), serverMinimum: v("1.50"))
        }
        #expect(throws: DockerError.self) {
            try DockerAPIVersion.negotiate(
                serverMaximum: v("1.52"), serverMinimum: v("1.44"), clientMinimum: v("1.24"), clientMaximum: v("1.43"))
        }
    }

    @Test func neverBelowTheClientsMinimum() {
        #expect(throws: DockerError.unsupportedAPIVersion(server: "1.40", serverMinimum: "1.12")) {
            try DockerAPIVersion.negotiate(serverMaximum: v("1.40"), serverMinimum: v("1.12"))
        }
    }

    @Test func errorNamesBothRanges() {
        let error = DockerError.unsupportedAPIVersion(server: "1.60", serverMinimum: "1.50")
        #expect(error.description.contains("1.60"))
        #expect(error.description.contains("1.50"))
        #expect(error.description.contains(DockerAPIVersion.clientMaximum.description))
    }
}

@Suite("DOCKER_HOST parsing")
struct DockerHostTests {
    @Test func unixSocket() throws {
        let host = try DockerHost(parsing: "unix:///run/user/1000/docker.sock")
        #expect(host.endpoint == .unixSocket(path: "/run/user/1000/docker.sock"))
        #expect(host.unixSocketPath == "/run/user/1000/docker.sock")
        #expect(host.baseURL?.absoluteString == "http://localhost")
        #expect(host.description == "unix:///run/user/1000/docker.sock")
    }

    @Test func tcpAndHTTP() throws {
        #expect(try DockerHost(parsing: "tcp://127.0.0.1:2376").endpoint == .tcp(host: "127.0.0.1", port: 2376))
        #expect(try DockerHost(parsing: "tcp://127.0.0.1").endpoint == .tcp(host: "127.0.0.1", port: 2375))
        #expect(try DockerHost(parsing: "http://localhost:8080/").endpoint == .tcp(host: "localhost", port: 8080))
        let v6 = try DockerHost(parsing: "tcp://[::1]:2375")
        #expect(v6.endpoint == .tcp(host: "::1", port: 2375))
        #expect(v6.baseURL?.absoluteString == "http://[::1]:2375")
        #expect(v6.unixSocketPath == nil)
    }

    @Test func rejectsWhatItCannotReach() {
        for bad in ["ssh://user@host", "unix://relative.sock", "tcp://:2375", "tcp://host:notaport", "tcp://host:0", "docker.sock"] {
            #expect(throws: DockerError.self, "\(bad)") { try DockerHost(parsing: bad) }
        }
    }

    @Test func environmentDefault() throws {
        #expect(try DockerHost.fromEnvironment([:]) == .default)
        #expect(try DockerHost.fromEnvironment(["DOCKER_HOST": ""]) == .default)
        #expect(try DockerHost.fromEnvironment(["DOCKER_HOST": "tcp://127.0.0.1:1"]).endpoint == .tcp(host: "127.0.0.1", port: 1))
        #expect(DockerHost.default.description == "unix:///var/run/docker.sock")
    }
}
