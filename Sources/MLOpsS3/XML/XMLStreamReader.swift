import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
internal import CLibXML2
internal import CLibXML2Loader

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// libxml2's process-wide set-up, done once before the first document is parsed (Swift runs a global's
/// initializer exactly once, thread-safely).

/// A forward-only reader over one XML document in memory, built on libxml2's `xmlTextReader`.
///
/// The reader is meant for documents from a server, which it treats as untrusted:
/// - the body's size is checked before anything is parsed;
/// - a document that contains a DTD or any other markup declaration (`<!DOCTYPE`, `<!ENTITY`, …) is
///   refused before libxml2 sees it, and again if libxml2 ever reports such a node, which rules out
///   external entities (XXE) and entity expansion ("billion laughs");
/// - libxml2 runs without network access, without entity substitution and without DTD loading, and
///   with its built-in limits in force;
/// - the document is always decoded as UTF-8 whatever its declaration says, and a body containing NUL
///   bytes (UTF-16 or UTF-32 text, or binary data) is refused;
/// - elements nested deeper than ``Limits/maximumDepth`` stop the parse.
///
/// Elements are matched by local name, so a default namespace (`xmlns="http://s3.amazonaws.com/…"`)
/// or a prefix makes no difference. Character references (`&#34;`) and the predefined entities
/// (`&quot;`) are decoded in text.
///
/// Use it through ``read(_:limits:_:)``, which owns the libxml2 reader for the duration of a closure:
/// position on the root with ``root()``, then walk with ``forEachChild(_:)`` and read leaves with
/// ``text()``. Each child handed to `forEachChild` is skipped automatically if the closure leaves it
/// unread.
///
/// Not thread-safe: one reader belongs to one parse on one thread.
final class XMLStreamReader {
    /// Bounds on what a document may cost to read.
    struct Limits: Sendable, Hashable {
        /// The largest body, in bytes, that is parsed at all.
        var maximumByteCount: Int
        /// The deepest element nesting accepted; the root element is at depth 1.
        var maximumDepth: Int

        /// 32 MiB and 32 levels: far more than any S3 response needs (a 1,000-key listing is a few
        /// hundred KiB, four levels deep).
        static let `default` = Limits(maximumByteCount: 32 * 1024 * 1024, maximumDepth: 32)
    }

    private let handle: xmlTextReaderPtr
    private let limits: Limits
    private let errors: ParseErrors
    /// Local names seen so far, by their libxml2 pointer. The reader interns every name in its
    /// dictionary, which lives as long as the reader, so each distinct name becomes a `String` once.
    private var names: [UnsafePointer<xmlChar>: String] = [:]
    /// Whether the element the reader stands on has been read through its end (by `text()`,
    /// `forEachChild(_:)` or a skip).
    private var currentElementConsumed = false

    private init(handle: xmlTextReaderPtr, limits: Limits, errors: ParseErrors) {
        self.handle = handle
        self.limits = limits
        self.errors = errors
    }

    /// Parses `data` with a reader handed to `body`, then checks that the rest of the document is
    /// well-formed.
    ///
    /// Leading whitespace is skipped first: S3 may pad a long-running response (such as
    /// CompleteMultipartUpload) with spaces before the document.
    ///
    /// - Parameters:
    ///   - screensDeclarations: Whether to refuse markup declarations before libxml2 runs. Always
    ///     `true` outside tests, which turn it off to check the second line of defence on its own.
    /// - Throws: ``S3XMLError`` for refused or malformed input, or whatever `body` throws.
    static func read<Result>(
        _ data: Data,
        limits: Limits = .default,
        screensDeclarations: Bool = true,
        _ body: (XMLStreamReader) throws -> Result
    ) throws -> Result {
        guard data.count <= limits.maximumByteCount, data.count <= Int(Int32.max) else {
            throw S3XMLError(
                code: .documentTooLarge,
                detail: "\(data.count) bytes, more than the limit of \(limits.maximumByteCount)"
            )
        }
        return try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            let document = try screen(bytes, refusingDeclarations: screensDeclarations)
            let options = mlopskit_xml_untrusted_document_options()
            let base = document.baseAddress!.assumingMemoryBound(to: CChar.self)
            guard let handle = mlopskit_xml_reader_for_memory(base, Int32(document.count), nil, "UTF-8", options) else {
                throw S3XMLError(
                    code: .malformed, detail: mlopskit_xml_load().map { String(cString: $0) } ?? "libxml2 could not start a reader")
            }
            defer { mlopskit_xml_free_reader(handle) }
            let errors = ParseErrors()
            return try withExtendedLifetime(errors) {
                mlopskit_xml_reader_set_error_handler(
                    handle,
                    { context, error in
                        guard let context, let error else { return }
                        Unmanaged<ParseErrors>.fromOpaque(context).takeUnretainedValue().record(error.pointee)
                    },
                    Unmanaged.passUnretained(errors).toOpaque()
                )
                let reader = XMLStreamReader(handle: handle, limits: limits, errors: errors)
                let result = try body(reader)
                try reader.readToEnd()
                return result
            }
        }
    }

    /// The document without leading whitespace, after refusing what S3 never sends: NUL bytes and
    /// markup declarations. Comments and CDATA sections are the only `<!` constructs allowed.
    ///
    /// Both searches use `memchr`, which scans many bytes per cycle; `!` is rare in S3 documents, so
    /// looking for it and then at the byte before is much cheaper than visiting every `<`.
    private static func screen(
        _ bytes: UnsafeRawBufferPointer,
        refusingDeclarations: Bool
    ) throws -> UnsafeRawBufferPointer {
        var start = 0
        while start < bytes.count, isXMLWhitespace(bytes[start]) { start += 1 }
        guard start < bytes.count, let base = bytes.baseAddress else {
            throw S3XMLError(code: .malformed, detail: "the body is empty")
        }
        let document = UnsafeRawBufferPointer(start: base + start, count: bytes.count - start)
        let count = document.count
        if let nul = memchr(document.baseAddress!, 0, count) {
            let offset = start + document.baseAddress!.distance(to: UnsafeRawPointer(nul))
            throw S3XMLError(code: .malformed, detail: "NUL byte at offset \(offset); only UTF-8 is accepted")
        }
        guard refusingDeclarations else { return document }
        var searchFrom = 0
        while searchFrom < count,
            let found = memchr(document.baseAddress! + searchFrom, Int32(UInt8(ascii: "!")), count - searchFrom)
        {
            let index = document.baseAddress!.distance(to: UnsafeRawPointer(found))
            if index > 0, document[index - 1] == UInt8(ascii: "<"),
                !(hasPrefix("--", in: document, at: index + 1) || hasPrefix("[CDATA[", in: document, at: index + 1))
            {
                throw S3XMLError(
                    code: .declarationRefused,
                    detail: "markup declaration at offset \(start + index - 1); S3 documents never carry a DTD"
                )
            }
            searchFrom = index + 1
        }
        return document
    }

    private static func hasPrefix(_ prefix: StaticString, in bytes: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        let length = prefix.utf8CodeUnitCount
        guard offset + length <= bytes.count else { return false }
        for index in 0..<length where bytes[offset + index] != prefix.utf8Start[index] { return false }
        return true
    }

    private static func isXMLWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    // MARK: Walking the document

    /// Moves to the root element and returns its local name.
    func root() throws -> String {
        while true {
            if try advance() == NodeType.element {
                currentElementConsumed = false
                return currentLocalName()
            }
        }
    }

    /// Calls `body` with the local name of each child element of the current element, in order, with
    /// the reader on that child. `body` may read the child with ``text()`` or ``forEachChild(_:)``, or
    /// ignore it; an unread child is skipped. Text between children is ignored.
    func forEachChild(_ body: (_ name: String) throws -> Void) throws {
        guard !currentElementIsEmpty() else {
            currentElementConsumed = true
            return
        }
        while true {
            switch try advance() {
            case NodeType.endElement:
                currentElementConsumed = true
                return
            case NodeType.element:
                currentElementConsumed = false
                try body(currentLocalName())
                if !currentElementConsumed { try skipCurrentElement() }
            default:
                continue
            }
        }
    }

    /// The text directly inside the current element, with references decoded and whitespace kept as
    /// it is. Text inside nested elements is not included. An empty element gives `""`.
    func text() throws -> String {
        guard !currentElementIsEmpty() else {
            currentElementConsumed = true
            return ""
        }
        var result = ""
        var nesting = 0
        while true {
            switch try advance() {
            case NodeType.text, NodeType.cdata,
                NodeType.whitespace, NodeType.significantWhitespace:
                if nesting == 0, let value = mlopskit_xml_reader_value(handle) {
                    if result.isEmpty {
                        result = String(cString: value)
                    } else {
                        result += String(cString: value)
                    }
                }
            case NodeType.element:
                if !currentElementIsEmpty() { nesting += 1 }
            case NodeType.endElement:
                if nesting == 0 {
                    currentElementConsumed = true
                    return result
                }
                nesting -= 1
            default:
                continue
            }
        }
    }

    /// Reads past the end of the current element without looking at its content.
    func skipCurrentElement() throws {
        currentElementConsumed = true
        guard !currentElementIsEmpty() else { return }
        var nesting = 0
        while true {
            switch try advance() {
            case NodeType.element:
                if !currentElementIsEmpty() { nesting += 1 }
            case NodeType.endElement:
                if nesting == 0 { return }
                nesting -= 1
            default:
                continue
            }
        }
    }

    /// Reads whatever follows, so that truncation or garbage after the part a decoder used is still
    /// reported.
    private func readToEnd() throws {
        while try advance(endAllowed: true) != nil {}
    }

    // MARK: libxml2 calls

    /// Moves to the next node and returns its type, refusing declaration nodes and excessive depth.
    /// Returns `nil` at the end of the document when `endAllowed`; otherwise the end is an error.
    @discardableResult
    private func advance(endAllowed: Bool = false) throws -> Int32? {
        let status = mlopskit_xml_reader_read(handle)
        guard status == 1 else {
            if status == 0 {
                if endAllowed { return nil }
                throw S3XMLError(code: .malformed, detail: "the document ends early")
            }
            throw parseFailure()
        }
        let type = mlopskit_xml_reader_node_type(handle)
        switch type {
        case NodeType.element:
            let depth = Int(mlopskit_xml_reader_depth(handle)) + 1
            if depth > limits.maximumDepth {
                throw S3XMLError(
                    code: .nestingTooDeep,
                    detail: "element at depth \(depth), deeper than the limit of \(limits.maximumDepth)"
                )
            }
        case NodeType.documentType, NodeType.entity,
            NodeType.entityReference, NodeType.endEntity,
            NodeType.notation:
            throw S3XMLError(code: .declarationRefused, detail: "the document uses a DTD or entities")
        default:
            break
        }
        return type
    }

    private func currentElementIsEmpty() -> Bool {
        mlopskit_xml_reader_is_empty_element(handle) == 1
    }

    private func currentLocalName() -> String {
        guard let pointer = mlopskit_xml_reader_local_name(handle) else { return "" }
        if let name = names[pointer] { return name }
        let name = String(cString: pointer)
        names[pointer] = name
        return name
    }

    private func parseFailure() -> S3XMLError {
        S3XMLError(code: .malformed, detail: errors.summary ?? "libxml2 stopped without a message")
    }
}

@available(*, unavailable)
extension XMLStreamReader: Sendable {}

/// libxml2's reader node types as the `Int32` that `xmlTextReaderNodeType` returns.
private enum NodeType {
    static let element = Int32(XML_READER_TYPE_ELEMENT.rawValue)
    static let endElement = Int32(XML_READER_TYPE_END_ELEMENT.rawValue)
    static let text = Int32(XML_READER_TYPE_TEXT.rawValue)
    static let cdata = Int32(XML_READER_TYPE_CDATA.rawValue)
    static let whitespace = Int32(XML_READER_TYPE_WHITESPACE.rawValue)
    static let significantWhitespace = Int32(XML_READER_TYPE_SIGNIFICANT_WHITESPACE.rawValue)
    static let documentType = Int32(XML_READER_TYPE_DOCUMENT_TYPE.rawValue)
    static let entity = Int32(XML_READER_TYPE_ENTITY.rawValue)
    static let entityReference = Int32(XML_READER_TYPE_ENTITY_REFERENCE.rawValue)
    static let endEntity = Int32(XML_READER_TYPE_END_ENTITY.rawValue)
    static let notation = Int32(XML_READER_TYPE_NOTATION.rawValue)
}

/// The first problems libxml2 reported while parsing, kept for the error that ends the parse.
private final class ParseErrors {
    private var firstFatal: String?
    private var firstError: String?

    func record(_ error: xmlError) {
        guard error.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
        let isFatal = error.level.rawValue >= XML_ERR_FATAL.rawValue
        guard isFatal ? firstFatal == nil : firstError == nil else { return }
        var text = error.message.map { String(cString: $0).trimmingWhitespaceAndNewlines() } ?? "parser error"
        if error.line > 0 { text += " (line \(error.line), column \(error.int2))" }
        if isFatal { firstFatal = text } else { firstError = text }
    }

    var summary: String? { firstFatal ?? firstError }
}
