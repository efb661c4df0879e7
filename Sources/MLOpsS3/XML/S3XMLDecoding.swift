import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Shared steps of decoding an S3 response document.
enum S3XMLDecoding {
    /// Parses `data`, checks that its root element is one of `roots`, and hands the reader, standing
    /// on the root, to `body`.
    ///
    /// An `<Error>` root is thrown as an ``S3Error`` (with `status`), since S3 may answer a
    /// successful status with an error document. Any ``S3XMLError`` is tagged with the document name.
    static func decode<Result>(
        _ data: Data,
        roots: String...,
        status: Int? = 200,
        limits: XMLStreamReader.Limits = .default,
        _ body: (XMLStreamReader) throws -> Result
    ) throws -> Result {
        do {
            return try XMLStreamReader.read(data, limits: limits) { reader in
                let root = try reader.root()
                if root == "Error" {
                    throw S3Error(document: try S3ErrorDocument.read(from: reader), status: status)
                }
                guard roots.contains(root) else {
                    throw S3XMLError(
                        code: .unexpectedDocument,
                        detail: "root element <\(root)>, expected <\(roots.joined(separator: "> or <"))>"
                    )
                }
                return try body(reader)
            }
        } catch var error as S3XMLError {
            if error.document == nil { error.document = roots.first }
            throw error
        }
    }

    // MARK: Values

    /// Leading and trailing XML whitespace removed, for numbers, booleans, dates and tags.
    static func trimmed(_ text: String) -> String {
        guard let first = text.utf8.first, let last = text.utf8.last,
            isXMLWhitespace(first) || isXMLWhitespace(last)
        else { return text }
        return text.trimmingWhitespaceAndNewlines()
    }

    private static func isXMLWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    static func int64(_ text: String, element: String) throws -> Int64 {
        guard let value = Int64(trimmed(text)) else { throw invalid(element, "is not a whole number") }
        return value
    }

    static func int(_ text: String, element: String) throws -> Int {
        guard let value = Int(trimmed(text)) else { throw invalid(element, "is not a whole number") }
        return value
    }

    static func bool(_ text: String, element: String) throws -> Bool {
        switch trimmed(text).lowercased() {
        case "true": true
        case "false": false
        default: throw invalid(element, "is not true or false")
        }
    }

    static func date(_ text: String, element: String) throws -> Date {
        guard let date = S3Timestamp.date(from: trimmed(text)) else { throw invalid(element, "is not an ISO 8601 timestamp") }
        return date
    }

    /// An entity tag without surrounding whitespace and double quotes. `&#34;` and `&quot;` are already
    /// quotes by now; some servers send no quotes at all.
    static func eTag(_ text: String) -> String {
        let value = trimmed(text)
        guard value.utf8.count >= 2, value.utf8.first == UInt8(ascii: "\""), value.utf8.last == UInt8(ascii: "\"")
        else { return value }
        return String(Substring(value.utf8.dropFirst().dropLast()))
    }

    /// A string from an `encoding-type=url` response, decoded with form semantics: `+` is a space,
    /// then `%XX` escapes are decoded as UTF-8.
    static func formDecoded(_ text: String, element: String) throws -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else { return text }
        guard let decoded = text.replacing("+", with: " ").removingPercentEscapes() else {
            throw invalid(element, "is not valid URL encoding")
        }
        return decoded
    }

    static func formDecoded(_ text: String?, element: String) throws -> String? {
        try text.map { try formDecoded($0, element: element) }
    }

    static func missing(_ path: String) -> S3XMLError {
        S3XMLError(code: .missingElement, detail: "no <\(path)>")
    }

    static func invalid(_ element: String, _ problem: String) -> S3XMLError {
        S3XMLError(code: .invalidValue, detail: "<\(element)> \(problem)")
    }

    /// Whether the response says its keys are URL-encoded.
    static func isURLEncoded(_ encodingType: String?) -> Bool {
        encodingType.map { trimmed($0).lowercased() == "url" } ?? false
    }
}

extension XMLStreamReader {
    /// Reads an `<Owner>` or `<Initiator>` element; `nil` when it holds nothing.
    func owner() throws -> S3Owner? {
        var owner = S3Owner()
        try forEachChild { name in
            switch name {
            case "ID": owner.id = try text()
            case "DisplayName": owner.displayName = try text()
            default: break
            }
        }
        if owner.id?.isEmpty == true { owner.id = nil }
        if owner.displayName?.isEmpty == true { owner.displayName = nil }
        return owner == S3Owner() ? nil : owner
    }

    /// Reads the `<Prefix>` children of a `<CommonPrefixes>` element.
    func commonPrefixes(into prefixes: inout [String]) throws {
        try forEachChild { name in
            if name == "Prefix" { prefixes.append(try text()) }
        }
    }
}
