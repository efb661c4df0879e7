import Foundation
import MLOpsKitTestSupport
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

@Suite("tar archive writers")
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
        let target = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: target) }
        let writer = try TarFileWriter(creating: target.appendingPathComponent("t.tar"))
        try writer.addTree(at: source, as: "model")
        try writer.finish()
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

    @Test func refusesUnsafePaths() {
        var archive = TarArchive()
        #expect(throws: TarArchive.Failure.invalidPath("/etc/passwd")) { try archive.addFile("/etc/passwd", contents: Data()) }
        #expect(throws: TarArchive.Failure.invalidPath("a/../../b")) { try archive.addFile("a/../../b", contents: Data()) }
        #expect(throws: TarArchive.Failure.invalidPath("")) { try archive.addFile("", contents: Data()) }
        #expect(throws: TarArchive.Failure.invalidPath("a\0b")) { try archive.addFile("a\0b", contents: Data()) }
        #expect(archive.data.isEmpty)
    }

    /// Names ustar cannot hold (a 101-byte file name, a 300-byte path, a 150-byte link target) go into
    /// PAX records, which tar reads back.
    @Test func longNamesAndLinkTargetsUsePAXRecords() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let longName = String(repeating: "n", count: 101)
        let deepPath = (0..<5).map { "\($0)" + String(repeating: "p", count: 58) }.joined(separator: "/") + "/file.txt"
        let longTarget = String(repeating: "t", count: 150)
        #expect(TarHeader.split(longName) == nil && TarHeader.split(deepPath) == nil)
        var archive = TarArchive()
        try archive.addFile(longName, contents: Data("one".utf8))
        try archive.addFile(deepPath, contents: Data("two".utf8))
        try archive.addSymbolicLink("link", target: longTarget)
        try archive.finished().write(to: directory.appendingPathComponent("long.tar"))
        let extracted = directory.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: extracted, withIntermediateDirectories: true)
        try await tar(["-xf", "../long.tar"], in: extracted)
        #expect(try String(contentsOf: extracted.appendingPathComponent(longName), encoding: .utf8) == "one")
        #expect(try String(contentsOf: extracted.appendingPathComponent(deepPath), encoding: .utf8) == "two")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: extracted.appendingPathComponent("link").path) == longTarget)
    }

    /// A PAX record's length counts its own digits, across a change in their number.
    @Test func paxRecordLengthsCountThemselves() {
        for valueLength in [0, 1, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 995, 996, 997, 1000] {
            let record = TarHeader.paxRecords([("path", String(repeating: "x", count: valueLength))])
            let text = String(decoding: record, as: UTF8.self)
            let length = text.split(separator: " ", maxSplits: 1).first.flatMap { Int($0) }
            #expect(length == record.count, "\(valueLength): \(text.prefix(12))")
        }
    }

    /// The writer ``DockerServingRuntime`` uses: a sparse model file over 8 GiB (no disk used) is listed by
    /// tar with its full size (a PAX `size` record), its data lands where tar reads it, its holes stay
    /// holes in the archive, and memory grows by far less than the file.
    @Test func fileWriterStreamsAFileOver8GiBWithAPAXSize() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = directory.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        try Data("flavors: {}\n".utf8).write(to: model.appendingPathComponent("MLmodel"))
        // 8 GiB of hole, then 3 MiB + 5 bytes of data at the end.
        let big = model.appendingPathComponent("weights.bin")
        let hole: Int64 = 8 << 30
        let tail = Data((0..<(3 << 20) + 5).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 17) })
        #expect(FileManager.default.createFile(atPath: big.path, contents: nil))
        let handle = try FileHandle(forWritingTo: big)
        try handle.seek(toOffset: UInt64(hole))
        try handle.write(contentsOf: tail)
        try handle.close()
        let size = hole + Int64(tail.count)
        #expect(size > TarHeader.ustarMaximumSize)

        let archive = directory.appendingPathComponent("context.tar")
        let residentBefore = Self.maximumResidentBytes()
        let writer = try TarFileWriter(creating: archive, modificationTime: 1_700_000_000)
        try writer.addFile("Dockerfile", contents: Data("FROM scratch\n".utf8))
        try writer.addTree(at: model, as: "model")
        try writer.finish()
        let residentGrowth = Self.maximumResidentBytes() - residentBefore
        #expect(residentGrowth < 64 << 20, "peak resident memory grew by \(residentGrowth) bytes")

        // The archive takes little disk: the hole stayed a hole.
        var status = stat()
        #expect(stat(archive.path, &status) == 0)
        #expect(Int64(status.st_blocks) * 512 < 64 << 20, "\(status.st_blocks) blocks allocated")

        let listing = try await tar(["-tvf", "context.tar"], in: directory)
        let line = listing.split(separator: "\n").first { $0.hasSuffix("model/weights.bin") }
        #expect(line?.contains(" \(size) ") == true, "tar lists: \(listing)")
        #expect(listing.contains("model/MLmodel"), "\(listing)")

        // The data ends right before the padding: read the last bytes of the entry where tar would.
        let member = try await tar(["-xOf", "context.tar", "model/MLmodel"], in: directory)
        #expect(member == "flavors: {}\n")
        let reader = try FileHandle(forReadingFrom: archive)
        defer { try? reader.close() }
        let archiveSize = Int64(try reader.seekToEnd())
        // Layout: Dockerfile (header + 1 block), model/ (header), MLmodel (header + 1 block), then the PAX
        // header (header + 1 block) and ustar header of weights.bin, its data, padding, 1024-byte end.
        let dataStart: Int64 = 512 * 2 + 512 + 512 * 2 + 512 * 2 + 512
        #expect(archiveSize == dataStart + size + Int64(TarHeader.padding(size)) + 1024)
        try reader.seek(toOffset: UInt64(dataStart + hole))
        #expect(try reader.read(upToCount: tail.count) == tail)
        try reader.seek(toOffset: UInt64(dataStart + 4096))
        #expect(try reader.read(upToCount: 16) == Data(count: 16), "the hole reads as zeros")
    }

    @Test func fileWriterRefusesAnExistingFileAndNamesAnUnreadableOne() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let existing = directory.appendingPathComponent("taken.tar")
        try Data("x".utf8).write(to: existing)
        #expect(throws: TarArchive.Failure.self) { try TarFileWriter(creating: existing) }
        #expect(try Data(contentsOf: existing) == Data("x".utf8), "left as it was")
        let writer = try TarFileWriter(creating: directory.appendingPathComponent("new.tar"))
        let missing = directory.appendingPathComponent("missing.bin")
        #expect(throws: TarArchive.Failure.cannotRead(path: missing.path, reason: "No such file or directory")) {
            try writer.addFile("missing.bin", copying: missing)
        }
        #expect(throws: TarArchive.Failure.cannotRead(path: directory.path, reason: "not a regular file")) {
            try writer.addFile("dir", copying: directory)
        }
        try writer.finish()
        #expect(throws: TarArchive.Failure.self) { try writer.addDirectory("late") }
    }

    /// The process's peak resident memory so far, in bytes.
    private static func maximumResidentBytes() -> Int64 {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int64(usage.ru_maxrss) * 1024
    }
}
