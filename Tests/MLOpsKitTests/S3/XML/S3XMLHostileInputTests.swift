import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsS3
@testable import MLOpsServing
@testable import MLOpsAutoserve

@Suite("S3 XML: hostile and broken input")
struct S3XMLHostileInputTests {
    typealias Fixtures = S3XMLFixtures

    static let billionLaughs = """
        <?xml version="1.0"?>
        <!DOCTYPE lolz [
          <!ENTITY lol "lol">
          <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
          <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
          <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
          <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
          <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
          <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
          <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
          <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
          <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
        ]>
        <ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>&lol9;</Key><Size>1</Size></Contents></ListBucketResult>
        """

    static let externalEntity = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE Error [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
        <Error><Code>NoSuchKey</Code><Message>&xxe;</Message></Error>
        """

    static let externalDTD = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE ListBucketResult SYSTEM "http://127.0.0.1:9/evil.dtd">
        <ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>
        """

    static let parameterEntity = """
        <?xml version="1.0"?>
        <!DOCTYPE r [ <!ENTITY % remote SYSTEM "file:///etc/hostname"> %remote; ]>
        <ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>
        """

    static let hostileDocuments = [billionLaughs, externalEntity, externalDTD, parameterEntity]

    @Test("DTDs and entity declarations are refused before parsing", arguments: hostileDocuments)
    func declarationsRefused(document: String) throws {
        let error = try #require(throws: S3XMLError.self) {
            try ListObjectsV2Page.decode(xml: Fixtures.data(document))
        }
        #expect(error.code == .declarationRefused)
    }

    @Test(
        "with the up-front screen off, libxml2 never expands or loads entities: the reader refuses them",
        arguments: hostileDocuments
    )
    func declarationsRefusedByReader(document: String) throws {
        let error = try #require(throws: S3XMLError.self) {
            try XMLStreamReader.read(Fixtures.data(document), screensDeclarations: false) { reader in
                _ = try reader.root()
                var texts: [String] = []
                try Self.collectTexts(reader, into: &texts)
                Issue.record("the document was read: \(texts.joined().prefix(80))")
            }
        }
        #expect(error.code == .declarationRefused || error.code == .malformed)
    }

    private static func collectTexts(_ reader: XMLStreamReader, into texts: inout [String]) throws {
        try reader.forEachChild { name in
            if name == "Key" || name == "Message" { texts.append(try reader.text()) } else { try collectTexts(reader, into: &texts) }
        }
    }

    @Test("an external-entity error body makes a raw S3Error without the file's content")
    func externalEntityInErrorBody() {
        let error = S3Error(status: 404, body: Fixtures.data(Self.externalEntity))
        #expect(error.code == .notFound)
        #expect(error.rawBody?.contains("root:") != true)
        #expect(!error.message.contains("root:"))
    }

    @Test("a UTF-16 document (which would hide its DTD from a byte scan) is refused")
    func utf16Refused() throws {
        var data = Data([0xFF, 0xFE])
        data.append(Self.billionLaughs.data(using: .utf16LittleEndian)!)
        let error = try #require(throws: S3XMLError.self) { try ListObjectsV2Page.decode(xml: data) }
        #expect(error.code == .malformed)

        let declared = #"<?xml version="1.0" encoding="UTF-16"?><ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>"#
        // A UTF-8 body that claims UTF-16 is read as UTF-8 anyway.
        let page = try ListObjectsV2Page.decode(xml: Fixtures.data(declared))
        #expect(!page.isTruncated)
    }

    @Test("elements nested deeper than the limit are refused, however deep the document goes")
    func deepNesting() throws {
        for depth in [33, 300, 100_000] {
            let document =
                "<ListBucketResult>" + String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
                + "</ListBucketResult>"
            let error = try #require(throws: S3XMLError.self) {
                try ListObjectsV2Page.decode(xml: Fixtures.data(document))
            }
            #expect(error.code == .nestingTooDeep)
        }
        let limits = XMLStreamReader.Limits(maximumByteCount: 1 << 20, maximumDepth: 3)
        let shallow = "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>k</Key></Contents></ListBucketResult>"
        #expect(try ListObjectsV2Page.decode(xml: Fixtures.data(shallow), limits: limits).objects.count == 1)
        let deeper = "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Owner><ID>x</ID></Owner><Key>k</Key></Contents></ListBucketResult>"
        let error = try #require(throws: S3XMLError.self) { try ListObjectsV2Page.decode(xml: Fixtures.data(deeper), limits: limits) }
        #expect(error.code == .nestingTooDeep)
    }

    @Test("a body over the size limit is refused without being parsed")
    func oversized() throws {
        let big = Data(count: 33 * 1024 * 1024)
        let error = try #require(throws: S3XMLError.self) { try ListObjectsV2Page.decode(xml: big) }
        #expect(error.code == .documentTooLarge)
        #expect(error.document == "ListBucketResult")

        let limits = XMLStreamReader.Limits(maximumByteCount: 64, maximumDepth: 32)
        let small = Fixtures.data(Fixtures.listObjectsEmpty)
        #expect(throws: S3XMLError.self) { try ListObjectsV2Page.decode(xml: small, limits: limits) }
    }

    @Test("every truncation of a listing fails with a typed error, never a partial page")
    func everyTruncation() throws {
        let document = Fixtures.data(Fixtures.listObjectsSeaweed)
        for length in 0..<document.count {
            do {
                let page = try ListObjectsV2Page.decode(xml: document.prefix(length))
                Issue.record("\(length) bytes decoded to \(page.objects.count) objects")
            } catch is S3XMLError {
                continue
            }
        }
    }

    @Test(
        "malformed documents give malformed-XML errors with libxml2's reason",
        arguments: [
            "<ListBucketResult><Contents><Key>k</Contents></ListBucketResult>",
            "<ListBucketResult><Key>a & b</Key></ListBucketResult>",
            "<ListBucketResult><Key>&undefined;</Key></ListBucketResult>",
            "<ListBucketResult><Key>k</Key></ListBucketResult><Second/>",
            "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>trailing",
            "<ListBucketResult attr=unquoted></ListBucketResult>",
            "<ListBucketResult>\u{1}</ListBucketResult>",
            "<ListBucketResult><Key>\u{FF}</Key>",
            "{\"error\": \"not xml\"}",
            "plain text",
        ]
    )
    func malformed(document: String) throws {
        let error = try #require(throws: S3XMLError.self) { try ListObjectsV2Page.decode(xml: Fixtures.data(document)) }
        #expect(error.code == .malformed)
        #expect(!error.detail.isEmpty)
    }

    @Test("libxml2's reason and position reach the error detail")
    func malformedDetail() throws {
        let document = "<ListBucketResult>\n<Contents><Key>k</Contents></ListBucketResult>"
        let error = try #require(throws: S3XMLError.self) { try ListObjectsV2Page.decode(xml: Fixtures.data(document)) }
        #expect(error.detail.hasPrefix("Opening and ending tag mismatch"))
        #expect(error.detail.contains("(line 2, column"))
        #expect(error.description.hasPrefix("S3 XML malformed XML in ListBucketResult: "))
    }

    @Test("invalid UTF-8 bytes are malformed")
    func invalidUTF8() throws {
        var data = Fixtures.data("<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>")
        data.append(contentsOf: [0xC3, 0x28, 0xFF])
        data.append(Fixtures.data("</Key></Contents></ListBucketResult>"))
        let error = try #require(throws: S3XMLError.self) { try ListObjectsV2Page.decode(xml: data) }
        #expect(error.code == .malformed)
    }

    @Test("NUL bytes and binary garbage are refused")
    func binaryGarbage() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let bytes = (0..<512).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(throws: S3XMLError.self) { try ListObjectsV2Page.decode(xml: Data(bytes)) }
        }
        #expect(throws: S3XMLError.self) {
            try ListObjectsV2Page.decode(xml: Fixtures.data("<ListBucketResult>\0</ListBucketResult>"))
        }
    }

    @Test("an HTML page from a proxy is a typed error for a decoder and a raw S3Error for a failed status")
    func htmlBody() throws {
        let withDoctype = try #require(throws: S3XMLError.self) {
            try ListObjectsV2Page.decode(xml: Fixtures.data(Fixtures.htmlBadGateway))
        }
        #expect(withDoctype.code == .declarationRefused)

        let wellFormedHTML = "<html><body><h1>502 Bad Gateway</h1><hr/><center>nginx</center></body></html>"
        let unexpected = try #require(throws: S3XMLError.self) {
            try ListObjectsV2Page.decode(xml: Fixtures.data(wellFormedHTML))
        }
        #expect(unexpected.code == .unexpectedDocument)

        let sloppyHTML = "<html><body><h1>502 Bad Gateway</h1><hr><center>nginx</center></body></html>"
        let malformed = try #require(throws: S3XMLError.self) {
            try ListObjectsV2Page.decode(xml: Fixtures.data(sloppyHTML))
        }
        #expect(malformed.code == .malformed)
    }

    @Test("comments, processing instructions and a BOM around the document are fine")
    func harmlessExtras() throws {
        var data = Data([0xEF, 0xBB, 0xBF])
        data.append(
            Fixtures.data(
                """
                <?xml version="1.0" encoding="UTF-8"?>
                <!-- generated -->
                <?xml-stylesheet href="http://127.0.0.1:9/x.xsl"?>
                <ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>
                <!-- trailing comment -->
                """
            )
        )
        let page = try ListObjectsV2Page.decode(xml: data)
        #expect(!page.isTruncated)
    }
}
