import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsServing

/// TLS against a local HTTPS server whose self-signed certificate each run makes afresh with openssl.
@Suite("CurlTransport TLS")
struct CurlTransportTLSTests {
    struct Certificate {
        var directory: URL
        var certificate: String { directory.appendingPathComponent("cert.pem").path }
        var key: String { directory.appendingPathComponent("key.pem").path }
    }

    static func makeCertificate() throws -> Certificate {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlopskit-tls-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificate = Certificate(directory: directory)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", certificate.key, "-out", certificate.certificate,
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CertificateFailed() }
        return certificate
    }

    struct CertificateFailed: Error {}

    @Test func verifiesCertificatesByDefaultTrustsAGivenBundleAndSkipsOnlyWhenTold() async throws {
        let certificate = try Self.makeCertificate()
        let server = try TestHTTPServer(tls: (certificate.certificate, certificate.key))
        let request = TransportRequest(url: server.url("/echo"))

        let refused = await #expect(throws: HTTPTransportError.self) { try await CurlTransport().send(request) }
        #expect(refused?.code == .tls)

        var trusting = CurlTransport.Configuration()
        trusting.tls = .init(verifiesPeer: true, caBundlePath: certificate.certificate)
        #expect(try await CurlTransport(configuration: trusting).send(request).status == 200)

        var insecure = CurlTransport.Configuration()
        insecure.tls = .init(verifiesPeer: false)
        #expect(try await CurlTransport(configuration: insecure).send(request).status == 200)
    }
}
