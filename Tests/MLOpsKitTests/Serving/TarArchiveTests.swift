import Foundation
import MLOpsKitTestSupport
import Testing

@testable import MLOpsKit

@Suite("ustar archive writer")
struct TarArchiveTests {
    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mlopskit-tar-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs `tar` with `arguments` in `directory` and returns its output.
    @discardableResult
    private func tar(_ arguments: [String], in directory: URL) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tar"] + arguments
        process.currentDirectoryURL = directory
        let output = directory.appendingPathComponent(".tar-output")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try await process.runUntilExit()
        try handle.close()
        let text = try String(contentsOf: output, encoding: .utf8)
        try FileManager.default.removeItem(at: output)
        #expect(process.terminationStatus == 0, "tar \(arguments): \(text)")
        return text
    }

    @Test func tarExtractsWhatWasWritten() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let longDirectory = String(repeating: "d", count: 90) + "/" + String(repeating: "e", count: 50)
        let binary = Data((0..<1500).map { UInt8($0 % 256) })
        var archive = TarArchive(modificationTime: 1_700_000_000)
        try archive.addFile("Dockerfile", contents: Data("FROM scratch\n".utf8))
        try archive.addDirectory("model")
        try archive.addFile("model/MLmodel", contents: Data("flavors: {}\n".utf8))
        try archive.addFile("model/run.sh", contents: Data("#!/bin/sh\necho hi\n".utf8), mode: 0o755)
        try archive.addFile("model/data.bin", contents: binary)
        try archive.addFile("model/empty", contents: Data())
        try archive.addSymbolicLink("model/link", target: "MLmodel")
        try archive.addFile("\(longDirectory)/\(String(repeating: "f", count: 60)).txt", contents: Data("long\n".utf8))
        let data = archive.finished()
        #expect(data.count % 512 == 0)
        let file = directory.appendingPathComponent("context.tar")
        try data.write(to: file)

        let listing = try await tar(["-tvf", "context.tar"], in: directory)
        #expect(listing.contains("model/MLmodel"))
        let extracted = directory.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: extracted, withIntermediateDirectories: true)
        try await tar(["-xf", "../context.tar"], in: extracted)

        #expect(try String(contentsOf: extracted.appendingPathComponent("Dockerfile"), encoding: .utf8) == "FROM scratch\n")
        #expect(try Data(contentsOf: extracted.appendingPathComponent("model/data.bin")) == binary)
        #expect(try Data(contentsOf: extracted.appendingPathComponent("model/empty")).isEmpty)
        let attributes = try FileManager.default.attributesOfItem(atPath: extracted.appendingPathComponent("model/run.sh").path)
        #expect((attributes[.posixPermissions] as? Int).map { $0 & 0o111 != 0 } == true, "the mode survives")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: extracted.appendingPathComponent("model/link").path) == "MLmodel")
        let long = extracted.appendingPathComponent("\(longDirectory)/\(String(repeating: "f", count: 60)).txt")
        #expect(try String(contentsOf: long, encoding: .utf8) == "long\n", "a path over 100 bytes is split into prefix and name")
    }

    @Test func addTreePacksADirectory() async throws {
        let source = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: source) }
        try FileManager.default.createDirectory(at: source.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Data("a".utf8).write(to: source.appendingPathComponent("MLmodel"))
        try Data("b".utf8).write(to: source.appendingPathComponent("sub/model.pkl"))
        var archive = TarArchive()
        try archive.addTree(at: source, as: "model")
        let target = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: target) }
        try archive.finished().write(to: target.appendingPathComponent("t.tar"))
        try await tar(["-xf", "t.tar"], in: target)
        #expect(try String(contentsOf: target.appendingPathComponent("model/sub/model.pkl"), encoding: .utf8) == "b")
        #expect(try String(contentsOf: target.appendingPathComponent("model/MLmodel"), encoding: .utf8) == "a")
    }

    @Test func headerChecksumIsValid() throws {
        var archive = TarArchive()
        try archive.addFile("a.txt", contents: Data("x".utf8))
        let header = Array(archive.data.prefix(512))
        var copy = header
        for index in 148..<156 { copy[index] = UInt8(ascii: " ") }
        let expected = copy.reduce(0) { $0 + Int($1) }
        let field = String(decoding: header[148..<154], as: UTF8.self)
        #expect(Int(field, radix: 8) == expected)
        #expect(String(decoding: header[257..<262], as: UTF8.self) == "ustar")
    }

    @Test func refusesUnsafeOrOverlongPaths() {
        var archive = TarArchive()
        #expect(throws: TarArchive.Failure.invalidPath("/etc/passwd")) { try archive.addFile("/etc/passwd", contents: Data()) }
        #expect(throws: TarArchive.Failure.invalidPath("a/../../b")) { try archive.addFile("a/../../b", contents: Data()) }
        #expect(throws: TarArchive.Failure.invalidPath("")) { try archive.addFile("", contents: Data()) }
        let name = String(repeating: "n", count: 101)
        #expect(throws: TarArchive.Failure.pathTooLong(name)) { try archive.addFile(name, contents: Data()) }
        #expect(archive.data.isEmpty)
    }
}
