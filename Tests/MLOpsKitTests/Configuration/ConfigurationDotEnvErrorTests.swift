import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsAutoserve

@Suite("Configuration: .env errors")
struct ConfigurationDotEnvErrorTests {
    private func parseError(_ text: String) -> DotEnvError? {
        do {
            _ = try DotEnvFile(parsing: text, path: "/srv/stack/.env", environment: [:])
            return nil
        } catch {
            return error
        }
    }

    @Test func lineWithoutEqualsNamesFileAndLine() throws {
        let error = try #require(parseError("A=1\n\nhunter2-secret\n"))
        #expect(error.code == .missingEquals)
        #expect(error.path == "/srv/stack/.env")
        #expect(error.line == 3)
        #expect(error.description.hasPrefix("/srv/stack/.env:3: expected KEY=value"))
        #expect(!error.description.contains("hunter2"))
    }

    @Test func keyWithoutValue() throws {
        let error = try #require(parseError("A=1\nLONELY\n"))
        #expect(error.code == .missingEquals)
        #expect(error.line == 2)
    }

    @Test(arguments: ["1KEY=x", "MY-KEY=x", "=x", "KÉY=x"])
    func invalidKeys(line: String) throws {
        let error = try #require(parseError("# header\n" + line))
        #expect(error.code == .invalidKey)
        #expect(error.line == 2)
    }

    @Test func unterminatedQuoteNamesTheLineItStartsOn() throws {
        let double = try #require(parseError("A=1\nB=\"open\nmore\n"))
        #expect(double.code == .unterminatedQuote)
        #expect(double.line == 2)
        let single = try #require(parseError("A='open"))
        #expect(single.code == .unterminatedQuote)
        #expect(single.line == 1)
    }

    @Test func textAfterClosingQuote() throws {
        let error = try #require(parseError("A=1\nB=\"quoted\" trailing-secret\n"))
        #expect(error.code == .unexpectedCharacters)
        #expect(error.line == 2)
        #expect(!error.description.contains("trailing-secret"))
    }

    @Test(arguments: ["A=${UNCLOSED", "A=${}", "A=${1BAD}", "A=${NAME:?required}", "A=${NAME:-no close"])
    func invalidReferences(line: String) throws {
        let error = try #require(parseError("# header\n\n" + line))
        #expect(error.code == .invalidReference)
        #expect(error.line == 3)
    }

    @Test func missingFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID()).env").path
        let error = #expect(throws: DotEnvError.self) {
            try DotEnvFile(contentsOfFile: path, environment: [:])
        }
        #expect(error?.code == .unreadableFile)
        #expect(error?.path == path)
        #expect(error?.line == nil)
    }

    @Test func fileErrorsNameThePath() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dotenv-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent(".env").path
        try "A=1\nB=\"x\" y\n".write(toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: DotEnvError.self) {
            try DotEnvFile(contentsOfFile: path, environment: [:])
        }
        #expect(error?.description.hasPrefix("\(path):2: ") == true)
    }
}
