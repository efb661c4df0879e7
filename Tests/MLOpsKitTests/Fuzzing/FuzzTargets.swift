// The bodies of the libFuzzer targets (the Fuzz package links this file into its fuzzer executable)
// and of the regression tests that replay the seed corpus through them.
//
// Each body takes the raw input bytes, feeds them to one parser of outside input, and throws a
// FuzzPropertyViolation when a property beyond "it does not crash" fails, such as a URI that does not
// parse back to itself. Parse errors are expected outcomes and are not violations; a trap is a crash.

import Foundation

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// A property a fuzz target checks did not hold for an input.
struct FuzzPropertyViolation: Error, CustomStringConvertible {
    var target: String
    var detail: String

    var description: String { "\(target): \(detail)" }
}

enum FuzzTargets {
    typealias Body = @Sendable (Data) throws(FuzzPropertyViolation) -> Void

    /// Every target by the name its corpus folder and `scripts/fuzz` use.
    static let all: [(name: String, body: Body)] = [
        ("s3-xml", s3XML),
        ("dotenv", dotEnv),
        ("s3-uri", s3URI),
        ("s3-headers", s3Headers),
        ("model-uri", modelURI),
        ("mlflow-json", mlflowJSON),
        ("docker-events", dockerEvents),
        ("docker-logs", dockerLogs),
        ("webhook", webhook),
        ("tar-path", tarPath),
        ("http-target", httpTarget),
        ("retry-after", retryAfter),
        ("config-values", configurationValues),
        ("aws-credentials", awsCredentials),
        ("docker-host", dockerHost),
        ("gateway-target", gatewayTarget),
    ]

    static func body(named name: String) -> Body? {
        all.first { $0.name == name }?.body
    }

    private static func check(_ condition: Bool, _ target: String, _ detail: @autoclosure () -> String)
        throws(FuzzPropertyViolation)
    {
        if !condition { throw FuzzPropertyViolation(target: target, detail: detail()) }
    }

    private static func text(_ data: Data) -> String {
        String(decoding: data, as: UTF8.self)
    }

    // MARK: S3

    /// Every S3 response document decoder, and the error built from a failed response's body. Each
    /// may only throw S3XMLError or S3Error.
    static func s3XML(_ data: Data) throws(FuzzPropertyViolation) {
        func decode(_ name: String, _ body: () throws -> Any) throws(FuzzPropertyViolation) {
            do {
                _ = try body()
            } catch is S3XMLError {
            } catch is S3Error {
            } catch {
                throw FuzzPropertyViolation(target: "s3-xml", detail: "\(name) threw \(type(of: error))")
            }
        }
        try decode("ListObjectsV2") { try ListObjectsV2Page.decode(xml: data) }
        try decode("ListBuckets") { try ListBucketsPage.decode(xml: data) }
        try decode("ListParts") { try ListPartsPage.decode(xml: data) }
        try decode("InitiateMultipartUpload") { try MultipartUpload.decodeInitiateResult(xml: data) }
        try decode("ListMultipartUploads") { try ListMultipartUploadsPage.decode(xml: data) }
        try decode("CompleteMultipartUpload") { try CompleteMultipartUploadResult.decode(xml: data) }
        try decode("CopyObject") { try CopyObjectResult.decode(xml: data) }
        try decode("DeleteObjects") { try DeleteObjectsResult.decode(xml: data) }
        try decode("Error") { try S3ErrorDocument.decode(data) }
        let error = S3Error(status: 403, headers: ["x-amz-request-id": "R"], body: data, operation: "GetObject", bucket: "b", key: "k")
        _ = error.description
    }

    /// `s3://bucket/key`: what parses renders back to the same text and value, and every valid
    /// (bucket, key) pair renders to text that parses back to it.
    static func s3URI(_ data: Data) throws(FuzzPropertyViolation) {
        let text = text(data)
        if let uri = try? S3URI(parsing: text) {
            let again = try? S3URI(parsing: uri.description)
            try check(again == uri, "s3-uri", "\(uri.description) does not parse back to itself")
            let built = try? S3URI(bucket: uri.bucket, key: uri.key)
            try check(built == uri, "s3-uri", "bucket and key of \(uri.description) are refused")
        }
        // The first line as the bucket, the rest as the key.
        let parts = text.utf8.split(separator: UInt8(ascii: "\n"), maxSplits: 1, omittingEmptySubsequences: false)
        let bucket = String(decoding: parts[0], as: UTF8.self)
        let key = parts.count > 1 ? String(decoding: parts[1], as: UTF8.self) : ""
        if let uri = try? S3URI(bucket: bucket, key: key) {
            try check(uri.bucket == bucket && uri.key == key, "s3-uri", "S3URI(bucket:key:) changed its input")
            let parsed = try? S3URI(parsing: uri.description)
            try check(parsed == uri, "s3-uri", "\(uri.description) does not parse back to bucket and key")
        }
    }

    /// A HEAD or GET response's headers (`Name: value` lines) read as an object's attributes: the
    /// size is never negative, the MD5 is 32 hex digits, the part count is positive.
    static func s3Headers(_ data: Data) throws(FuzzPropertyViolation) {
        var fields: [(String, String)] = []
        for line in data.split(separator: UInt8(ascii: "\n")) {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self)
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingWhitespace()
            fields.append((name, value))
        }
        let attributes = S3ObjectAttributes(key: "k", headers: TransportHeaders(fields))
        try check(attributes.size >= 0, "s3-headers", "negative size \(attributes.size)")
        if let md5 = attributes.contentMD5Hex {
            try check(md5.utf8.count == 32 && md5.utf8.allSatisfy(\.isHexDigit), "s3-headers", "MD5 \(md5)")
        }
        if let parts = attributes.multipartPartCount {
            try check(parts > 0, "s3-headers", "\(parts) parts")
        }
    }

    // MARK: Configuration

    /// `.env` text: keys are valid, `values` agrees with the last entry of each key, lines increase;
    /// a value written single-quoted, or double-quoted with escapes, reads back unchanged.
    static func dotEnv(_ data: Data) throws(FuzzPropertyViolation) {
        let environment = ["HOME": "/home/user", "EMPTY": "", "REGION": "eu-west-1"]
        let text = text(data)
        if let file = try? DotEnvFile(parsing: text, path: ".env", environment: environment) {
            var last: [String: String] = [:]
            var line = 0
            for entry in file.entries {
                try check(DotEnvFile.isValidKey(entry.key), "dotenv", "invalid key \(entry.key) accepted")
                try check(entry.line >= max(1, line), "dotenv", "entry lines go backwards")
                line = entry.line
                last[entry.key] = entry.value
            }
            try check(last == file.values, "dotenv", "values differ from the last entries")
        }
        // The input as a value (the parser reads Unicode scalars, so the quoting does too): single-quoted
        // (taken as written) and double-quoted with every escape. `\r\n` reads as `\n`, so no `\r`.
        let scalars = text.unicodeScalars.filter { $0 != "\r" }
        let value = String(String.UnicodeScalarView(scalars))
        if !scalars.contains("'") {
            let file = try? DotEnvFile(parsing: "KEY='\(value)'\n", environment: environment)
            try check(file?["KEY"] == value, "dotenv", "single-quoted value does not read back")
        }
        var escaped = String.UnicodeScalarView()
        for scalar in scalars {
            switch scalar {
            case "\\": escaped.append(contentsOf: "\\\\".unicodeScalars)
            case "\"": escaped.append(contentsOf: "\\\"".unicodeScalars)
            case "$": escaped.append(contentsOf: "\\$".unicodeScalars)
            case "\n": escaped.append(contentsOf: "\\n".unicodeScalars)
            case "\t": escaped.append(contentsOf: "\\t".unicodeScalars)
            default: escaped.append(scalar)
            }
        }
        let file = try? DotEnvFile(parsing: "export KEY=\"\(String(escaped))\"  # comment\n", environment: environment)
        try check(file?["KEY"] == value, "dotenv", "double-quoted escaped value does not read back")
    }

    /// Environment values converted to URLs, numbers, durations, booleans and lists.
    static func configurationValues(_ data: Data) throws(FuzzPropertyViolation) {
        let value = ConfigurationValue(key: .trackingURI, value: text(data), source: .environment)
        _ = try? value.url()
        _ = try? value.httpURL()
        _ = try? value.s3EndpointURL(allowingAWS: true)
        if let number = try? value.integer(in: -5...1000) {
            try check((-5...1000).contains(number), "config-values", "integer out of range")
        }
        if let port = try? value.port() {
            try check((1...65535).contains(port), "config-values", "port out of range")
        }
        if let seconds = try? value.positiveSeconds() {
            try check(seconds > .zero, "config-values", "positiveSeconds gave \(seconds)")
        }
        _ = try? value.boolean()
        for item in value.list() {
            try check(!item.isEmpty && !item.unicodeScalars.contains(","), "config-values", "list item \(item)")
        }
        _ = value.description
    }

    /// The AWS shared credentials file (`~/.aws/credentials`, INI).
    static func awsCredentials(_ data: Data) throws(FuzzPropertyViolation) {
        guard let file = try? SharedCredentialsFile(parsing: text(data), path: "credentials") else { return }
        try check(Set(file.profileNames) == Set(file.profiles.keys), "aws-credentials", "profile names and profiles differ")
        try check(file.profileNames.count == file.profiles.count, "aws-credentials", "a profile listed twice")
    }

    // MARK: MLflow

    /// `models:/…`, `runs:/…`, `mlflow-artifacts:/…`, `s3://…`, `file://…`: what parses renders to
    /// text that parses back to the same value.
    static func modelURI(_ data: Data) throws(FuzzPropertyViolation) {
        guard let uri = try? ModelURI(parsing: text(data)) else { return }
        let again = try? ModelURI(parsing: uri.description)
        try check(again == uri, "model-uri", "\(uri.description) does not parse back to \(uri)")
        _ = uri.needsResolution
    }

    /// MLflow REST responses mapped to the client's values (2xx) or errors (4xx/5xx).
    static func mlflowJSON(_ data: Data) throws(FuzzPropertyViolation) {
        let ok = TransportResponse(status: 200, headers: ["Content-Type": "application/json"], body: data)
        let endpoint = MLflowEndpoint.getRun
        _ = try? MLflowClient.decode(ok, from: endpoint, as: TrackingWire.RunResponse.self)
        _ = try? MLflowClient.decode(ok, from: endpoint, as: TrackingWire.SearchRunsResponse.self)
        _ = try? MLflowClient.decode(ok, from: endpoint, as: TrackingWire.SearchExperimentsResponse.self)
        _ = try? MLflowClient.decode(ok, from: endpoint, as: TrackingWire.MetricHistoryResponse.self)
        _ = try? MLflowClient.decode(ok, from: endpoint, as: TrackingWire.LoggedModelResponse.self)
        _ = try? MLflowClient.decode(ok, from: endpoint, as: TrackingWire.UpdateRunResponse.self)
        _ = try? MLflowClient.decode(ok, from: endpoint, as: RegistryWire.SearchRegisteredModelsResponse.self)
        _ = try? MLflowClient.decode(ok, from: endpoint, as: RegistryWire.SearchModelVersionsResponse.self)
        _ = try? MLflowClient.decode(ok, from: endpoint, as: WebhookWire.ListResponse.self)
        _ = try? MLflowClient.decode(ok, from: endpoint, as: WebhookWire.TestResponse.self)
        for status in [404, 503] {
            let failed = TransportResponse(status: status, body: data)
            let error = MLflowClient.error(for: failed, from: endpoint)
            try check(error.httpStatus == status, "mlflow-json", "error lost its status")
            try check(
                error.message.count <= MLflowClient.maximumServerMessageLength, "mlflow-json",
                "error message of \(error.message.count) characters")
            _ = error.description
        }
    }

    // MARK: Docker

    /// `GET /events`: the line splitter gives the same lines whatever the pieces the stream arrives
    /// in, and each line decodes as an event or is skipped.
    static func dockerEvents(_ data: Data) throws(FuzzPropertyViolation) {
        let bytes = [UInt8](data)
        var whole = JSONLineSplitter()
        let lines = whole.feed(bytes) + whole.finish()
        let cut = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
        var pieces = JSONLineSplitter()
        let pieceLines = pieces.feed(bytes[..<cut]) + pieces.feed(bytes[cut...]) + pieces.finish()
        try check(lines == pieceLines, "docker-events", "lines depend on where the stream is cut (at \(cut))")
        let decoder = JSONDecoder()
        for line in lines {
            try check(!line.contains(UInt8(ascii: "\n")), "docker-events", "a line holds a line break")
            guard let event = try? decoder.decode(DockerEvent.self, from: Data(line)) else { continue }
            _ = event.labels
            _ = event.exitCode
        }
    }

    /// A multiplexed container log: frames do not depend on the pieces the bytes arrive in, and
    /// frames plus what is pending account for every byte.
    static func dockerLogs(_ data: Data) throws(FuzzPropertyViolation) {
        let bytes = [UInt8](data)
        let frames = DockerLogDemultiplexer.demultiplex(bytes)
        var demultiplexer = DockerLogDemultiplexer()
        var pieceFrames: [DockerLogDemultiplexer.Frame] = []
        var offset = 0
        while offset < bytes.count {
            let length = Int(bytes[offset] % 17) + 1
            let end = min(bytes.count, offset + length)
            pieceFrames += demultiplexer.feed(bytes[offset..<end])
            offset = end
        }
        try check(frames == pieceFrames, "docker-logs", "frames depend on the pieces")
        let used = frames.reduce(0) { $0 + 8 + $1.payload.count }
        try check(used + demultiplexer.pendingByteCount == bytes.count, "docker-logs", "bytes lost or counted twice")
    }

    /// Docker Engine hosts (`DOCKER_HOST`) and API versions: what parses renders back to the same
    /// value, and the base URL of a parsed host can be built.
    static func dockerHost(_ data: Data) throws(FuzzPropertyViolation) {
        let text = text(data)
        if let host = try? DockerHost(parsing: text) {
            let again = try? DockerHost(parsing: host.description)
            try check(again == host, "docker-host", "\(host.description) does not parse back")
            _ = host.baseURL
        }
        if let version = DockerAPIVersion(text) {
            try check(DockerAPIVersion(version.description) == version, "docker-host", "API version \(version) does not parse back")
        }
    }

    /// Builds a tar header for a path (first line; the second is a link target) and reads the path
    /// back from the header: the same path, never absolute, never with a `..` component.
    static func tarPath(_ data: Data) throws(FuzzPropertyViolation) {
        let lines = data.split(separator: UInt8(ascii: "\n"), maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = lines.first else { return }
        let path = String(decoding: first, as: UTF8.self)
        let target = lines.count > 1 ? String(decoding: lines[1], as: UTF8.self) : "x"
        let kind: TarArchive.Kind =
            switch path.utf8.count % 3 {
            case 0: .file(Data("contents".utf8))
            case 1: .directory
            default: .symbolicLink(target: target)
            }
        var archive = TarArchive()
        do {
            try archive.add(path, kind: kind, mode: 0o644)
        } catch {
            return
        }
        let tar = [UInt8](archive.finished())
        try check(tar.count % 512 == 0 && tar.count >= 1536, "tar-path", "archive of \(tar.count) bytes")
        func field(_ header: Int, _ offset: Int, _ width: Int) -> [UInt8] {
            Array(tar[(header + offset)..<(header + offset + width)].prefix { $0 != 0 })
        }
        func checksumMatches(_ header: Int) -> Bool {
            var sum = 0
            for (index, byte) in tar[header..<(header + 512)].enumerated() {
                sum += (148..<156).contains(index) ? 32 : Int(byte)
            }
            return Int(String(decoding: field(header, 148, 6), as: UTF8.self), radix: 8) == sum
        }
        // A name or link target that ustar cannot hold comes first as PAX records (`LEN key=value\n`) in
        // an `x` entry; the entry's own header follows them.
        var header = 0
        var records: [String: [UInt8]] = [:]
        if tar[156] == UInt8(ascii: "x") {
            try check(checksumMatches(0), "tar-path", "PAX header checksum does not match")
            let size = Int(String(decoding: field(0, 124, 12), as: UTF8.self), radix: 8) ?? -1
            try check(size > 0 && 512 + size <= tar.count, "tar-path", "PAX size \(size) for \(path)")
            var rest = tar[512..<(512 + size)]
            while !rest.isEmpty {
                let digits = rest.prefix { $0 != UInt8(ascii: " ") }
                let length = Int(String(decoding: digits, as: UTF8.self)) ?? 0
                try check(length > digits.count + 2 && length <= rest.count, "tar-path", "PAX record length for \(path)")
                let record = rest.prefix(length).dropFirst(digits.count + 1)
                try check(record.last == UInt8(ascii: "\n"), "tar-path", "PAX record without its line break for \(path)")
                let keyValue = record.dropLast()
                guard let equals = keyValue.firstIndex(of: UInt8(ascii: "=")) else {
                    throw FuzzPropertyViolation(target: "tar-path", detail: "PAX record without = for \(path)")
                }
                records[String(decoding: keyValue[..<equals], as: UTF8.self)] = Array(keyValue[(equals + 1)...])
                rest = rest.dropFirst(length)
            }
            header = 512 + (size + 511) / 512 * 512
            try check(tar.count >= header + 1536, "tar-path", "archive of \(tar.count) bytes after PAX records")
        }
        let name = field(header, 0, 100)
        let prefix = field(header, 345, 155)
        let stored = records["path"] ?? (prefix.isEmpty ? name : prefix + [UInt8(ascii: "/")] + name)
        var expected = Array(path.utf8)
        while expected.starts(with: Array("./".utf8)) { expected.removeFirst(2) }
        if case .directory = kind, expected.last != UInt8(ascii: "/") { expected.append(UInt8(ascii: "/")) }
        try check(stored == expected, "tar-path", "header holds \(String(decoding: stored, as: UTF8.self)) for \(path)")
        try check(stored.first != UInt8(ascii: "/"), "tar-path", "absolute path \(path) accepted")
        let components = stored.split(separator: UInt8(ascii: "/"))
        try check(!components.contains { $0.elementsEqual("..".utf8) }, "tar-path", "path \(path) climbs out with ..")
        if case .symbolicLink(let target) = kind {
            let link = records["linkpath"] ?? field(header, 157, 100)
            try check(link == Array(target.utf8), "tar-path", "link target \(target) stored differently")
        }
        try check(checksumMatches(header), "tar-path", "checksum field does not match")
    }

    // MARK: Webhooks and the agent's HTTP requests

    /// A webhook delivery: `Name: value` header lines, an empty line, the body. When the input starts
    /// with `!` the harness signs the delivery with the verifier's secret, so that decoding the event
    /// is reached too. Unsigned deliveries are never accepted; an accepted one is a duplicate the
    /// second time.
    static func webhook(_ data: Data) throws(FuzzPropertyViolation) {
        var bytes = [UInt8](data)
        let sign = bytes.first == UInt8(ascii: "!")
        if sign { bytes.removeFirst() }
        var headers: [(String, String)] = []
        var rest = bytes[...]
        while let newline = rest.firstIndex(of: UInt8(ascii: "\n")) {
            let line = rest[rest.startIndex..<newline]
            rest = rest[(newline + 1)...]
            if line.isEmpty || line == [UInt8(ascii: "\r")] { break }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self)
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingWhitespace()
            headers.append((name, value))
        }
        let body = Array(rest)
        let secret = WebhookSecret("whsec-fuzz")
        var transportHeaders = TransportHeaders(headers)
        if sign, let id = transportHeaders[WebhookHeaders.deliveryID]?.trimmingWhitespace(),
            let timestamp = transportHeaders[WebhookHeaders.timestamp]?.trimmingWhitespace()
        {
            let signature = WebhookVerifier.signature(secret: secret, deliveryID: id, timestamp: timestamp, body: body)
            transportHeaders = TransportHeaders(headers + [(WebhookHeaders.signature, signature)])
        }
        // The clock: the delivery's own timestamp when it has one, so that freshness passes and
        // the event is decoded; a fixed time otherwise.
        let now = transportHeaders[WebhookHeaders.timestamp].flatMap { Int64($0.trimmingWhitespace()) } ?? 1_765_000_000
        let verifier = WebhookVerifier(secret: secret, configuration: .init(tolerance: .seconds(300)), now: { now })
        let outcome = verifier.verify(body: body, headers: transportHeaders)
        switch outcome {
        case .accepted(let event, let id):
            // Accepted only with the right signature among the header's entries.
            let expected = WebhookVerifier.signature(
                secret: secret, deliveryID: id,
                timestamp: transportHeaders[WebhookHeaders.timestamp]?.trimmingWhitespace() ?? "", body: body)
            let mac = Data(base64Encoded: String(expected.dropFirst(3)))
            let entries = transportHeaders.values(for: WebhookHeaders.signature)
                .flatMap { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }) }
            try check(
                entries.contains { $0.hasPrefix("v1,") && Data(base64Encoded: String($0.dropFirst(3))) == mac },
                "webhook", "a delivery without a valid signature was accepted")
            _ = event.servingKey
            _ = event.type
            let again = verifier.verify(body: body, headers: transportHeaders)
            guard case .duplicate = again else {
                throw FuzzPropertyViolation(target: "webhook", detail: "a repeated delivery was not a duplicate")
            }
        case .duplicate:
            throw FuzzPropertyViolation(target: "webhook", detail: "a first delivery was reported as a duplicate")
        case .rejected(let rejection):
            _ = rejection.httpStatus
            _ = rejection.description
        }
    }

    /// The agent's request target (`/path?query`): the path never holds the `?`, and a query built
    /// from the input's lines (form-encoded) decodes back to them.
    static func httpTarget(_ data: Data) throws(FuzzPropertyViolation) {
        let text = text(data)
        let request = AutoserveHTTPRequest(method: "get", target: text)
        try check(request.method == "GET", "http-target", "method not upper-cased")
        try check(!request.path.utf8.contains(UInt8(ascii: "?")), "http-target", "path \(request.path) holds the query")
        let lines = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(lines[0])
        let value = lines.count > 1 ? String(lines[1]) : ""
        guard !name.isEmpty else { return }
        let target = "/status?x=1&" + formEncoded(name) + "=" + formEncoded(value)
        let built = AutoserveHTTPRequest(method: "GET", target: target)
        try check(built.path == "/status", "http-target", "path of \(target) is \(built.path)")
        try check(built.query[name] == value, "http-target", "query of \(target) is \(built.query)")
    }

    private static func formEncoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "): result += "+"
            default: result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }

    // MARK: Transport

    /// `Retry-After`: delay seconds or an HTTP date, against a fixed clock; never negative.
    static func retryAfter(_ data: Data) throws(FuzzPropertyViolation) {
        let text = text(data)
        let now = Date(timeIntervalSince1970: 1_765_000_000)
        if let wait = RetryPolicy.retryAfter(text, now: now) {
            try check(wait >= .zero, "retry-after", "negative wait \(wait)")
        }
        _ = HTTPDate.secondsSince1970(text)
    }

    // MARK: Gateway

    /// Where the gateway sends a request: three lines (method, request target, `Host`). A routed request
    /// goes to a scoring endpoint with the method it takes; a key read from the path form routes back
    /// to itself once its model and alias are percent-encoded again; decoding undoes encoding.
    static func gatewayTarget(_ data: Data) throws(FuzzPropertyViolation) {
        let lines = text(data).split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        let method = lines[0]
        let uri = lines.count > 1 ? lines[1] : "/"
        let host = lines.count > 2 ? lines[2] : nil
        let names = StableNameIndex(keys: [
            ServingKey(model: "iris", alias: "Production"), ServingKey(model: "a-b", alias: "Production"),
            ServingKey(model: "a", alias: "b-Production"),
        ])
        try check(PercentEncoding.decode(PercentEncoding.encode(uri)) == uri, "gateway-target", "decode(encode(\(uri))) differs")
        guard case .key(let key, let handler, let path) = GatewayRequestTarget.parse(method: method, uri: uri, host: host, names: names)
        else { return }
        let methods = GatewayRequestTarget.endpoints[String(handler.dropFirst())]
        try check(methods?.contains(method) == true, "gateway-target", "\(method) \(uri) routed to \(handler)")
        try check(path.hasPrefix(handler), "gateway-target", "forwarded path \(path) is not under \(handler)")
        guard uri.hasPrefix("/models/") else { return }
        let again = "/models/" + PercentEncoding.encode(key.model) + "/" + PercentEncoding.encode(key.alias) + handler
        let reparsed = GatewayRequestTarget.parse(method: method, uri: again, host: nil, names: names)
        try check(
            reparsed == .key(key, handler: handler, path: handler), "gateway-target", "\(again) routes to \(reparsed), not \(key)")
    }

}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
