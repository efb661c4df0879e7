import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsOrchestration
@testable import MLOpsServing
@testable import MLOpsAutoserve

@Suite("S3 XML: listings")
struct S3XMLListingTests {
    typealias Fixtures = S3XMLFixtures

    static func date(_ text: String) -> Date { S3Timestamp.date(from: text)! }

    // MARK: ListObjectsV2

    @Test("an AWS ListObjectsV2 page decodes every field, namespace and &quot; ETags included")
    func listObjectsAWS() throws {
        let page = try ListObjectsV2Page.decode(xml: Fixtures.data(Fixtures.listObjectsAWS))

        #expect(page.bucketName == "mlops-artifacts")
        #expect(page.prefix == "models/")
        #expect(page.delimiter == "/")
        #expect(page.keyCount == 3)
        #expect(page.maxKeys == 3)
        #expect(page.isTruncated)
        #expect(page.continuationToken == "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
        #expect(page.nextContinuationToken == "1w41l63U0xa8q7smH50vCxyTQqdxo69O3EmK28Bi5PcROI4wI/EyIJg==")
        #expect(page.startAfter == "models/a")
        #expect(page.encodingType == nil)
        #expect(page.commonPrefixes == ["models/checkpoints/"])
        #expect(
            page.objects == [
                S3Object(
                    key: "models/model.pkl",
                    size: 434_234,
                    lastModified: Date(timeIntervalSince1970: 1_795_940_130.123),
                    eTag: "fba9dede5f27731c9771645a39863328",
                    storageClass: "STANDARD",
                    owner: S3Owner(
                        id: "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a",
                        displayName: "mlops-ci"
                    ),
                    checksumAlgorithms: ["CRC32"]
                ),
                S3Object(
                    key: "models/weights.bin",
                    size: 5_368_709_120,
                    lastModified: Date(timeIntervalSince1970: 1_795_940_160),
                    eTag: "d41d8cd98f00b204e9800998ecf8427e-3",
                    storageClass: "STANDARD_IA"
                ),
            ]
        )
    }

    @Test("the public init(xml:) decodes as the library does, and throws the same errors")
    func listObjectsPublicInitializer() throws {
        let data = Fixtures.data(Fixtures.listObjectsAWS)
        #expect(try ListObjectsV2Page(xml: data) == ListObjectsV2Page.decode(xml: data))
        let error = try #require(throws: S3XMLError.self) { try ListObjectsV2Page(xml: Data("<ListBucketResult>".utf8)) }
        #expect(error.code == .malformed)
    }

    @Test("a SeaweedFS page: &#34; ETags, whole-second times, an empty next token means the last page")
    func listObjectsSeaweed() throws {
        let page = try ListObjectsV2Page.decode(xml: Fixtures.data(Fixtures.listObjectsSeaweed))

        #expect(page.objects.map(\.key) == ["a/000.txt", "a/001.txt"])
        #expect(page.objects.map(\.eTag) == ["5d41402abc4b2a76b9719d911017c592", "7d793037a0760186574b0282f2f435e7"])
        #expect(page.objects[0].lastModified == Self.date("2026-11-29T12:00:01Z"))
        #expect(page.objects[0].owner == S3Owner(id: "0"))
        #expect(page.objects[1].owner == nil)
        #expect(!page.isTruncated)
        #expect(page.nextContinuationToken == nil)
        #expect(page.keyCount == 2)
    }

    @Test("an empty bucket without a namespace gives an empty page")
    func listObjectsEmpty() throws {
        let page = try ListObjectsV2Page.decode(xml: Fixtures.data(Fixtures.listObjectsEmpty))
        #expect(page == ListObjectsV2Page(bucketName: "empty", prefix: "", maxKeys: 1000, keyCount: 0))
    }

    @Test("encoding-type=url with + for spaces (MinIO, JuiceFS) decodes keys, prefixes, delimiter and start-after")
    func listObjectsURLEncodedPlus() throws {
        let page = try ListObjectsV2Page.decode(xml: Fixtures.data(Fixtures.listObjectsURLEncodedPlus))

        #expect(page.encodingType == "url")
        #expect(page.prefix == "sp ace/")
        #expect(page.delimiter == "/")
        #expect(page.startAfter == "sp ace/0")
        #expect(page.objects.map(\.key) == ["sp ace/ü+=&?.txt", "sp ace/a+b c%d.txt"])
        #expect(page.commonPrefixes == ["sp ace/モデル 1/"])
    }

    @Test("encoding-type=url with %20 for spaces (AWS, moto, SeaweedFS) and four-byte UTF-8")
    func listObjectsURLEncodedPercent() throws {
        let page = try ListObjectsV2Page.decode(xml: Fixtures.data(Fixtures.listObjectsURLEncodedPercent))
        #expect(page.objects.map(\.key) == ["sp ace/ü+=&?.txt", "模型/🧠.onnx"])
        #expect(page.prefix == "")
    }

    @Test("without EncodingType, + and % in keys are literal")
    func listObjectsNotEncoded() throws {
        let xml = """
            <ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a+b%20c%ZZ</Key><Size>1</Size></Contents>\
            <CommonPrefixes><Prefix>x+y/</Prefix></CommonPrefixes></ListBucketResult>
            """
        let page = try ListObjectsV2Page.decode(xml: Fixtures.data(xml))
        #expect(page.objects.map(\.key) == ["a+b%20c%ZZ"])
        #expect(page.commonPrefixes == ["x+y/"])
    }

    @Test("a malformed escape in a URL-encoded listing is an invalid value")
    func listObjectsBadEscape() throws {
        let xml = """
            <ListBucketResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>\
            <Contents><Key>bad%ZZkey</Key><Size>1</Size></Contents></ListBucketResult>
            """
        let error = try #require(throws: S3XMLError.self) { try ListObjectsV2Page.decode(xml: Fixtures.data(xml)) }
        #expect(error.code == .invalidValue)
        #expect(error.document == "ListBucketResult")
        #expect(error.detail.contains("Contents/Key"))
    }

    @Test("keys keep their whitespace, entities, character references and CDATA exactly")
    func keysKeepTheirText() throws {
        let xml = """
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>false</IsTruncated>
            <Contents><Key>   </Key><Size>0</Size></Contents>
            <Contents><Key> lead and trail\t</Key><Size>0</Size></Contents>
            <Contents><Key>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;</Key><Size>0</Size></Contents>
            <Contents><Key>cr&#13;lf&#10;tab&#9;end &#x1F600;</Key><Size>0</Size></Contents>
            <Contents><Key><![CDATA[raw <not> & tag]]></Key><Size>0</Size></Contents>
            <Contents><Key>split<!-- a comment -->key<?pi ignored?></Key><Size>0</Size></Contents>
            <Contents><Key></Key><Size>0</Size></Contents>
            <Contents><Key/><Size>0</Size></Contents>
            </ListBucketResult>
            """
        let page = try ListObjectsV2Page.decode(xml: Fixtures.data(xml))
        #expect(
            page.objects.map(\.key) == [
                "   ", " lead and trail\t", #"a & b <c> "d" 'e'"#, "cr\rlf\ntab\tend 😀", "raw <not> & tag", "splitkey", "", "",
            ]
        )
    }

    @Test("elements are matched by local name, whatever the namespace prefix")
    func namespacePrefixes() throws {
        let xml = """
            <s3:ListBucketResult xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/"><s3:IsTruncated>false</s3:IsTruncated>\
            <s3:Contents><s3:Key>k</s3:Key><s3:Size>7</s3:Size></s3:Contents></s3:ListBucketResult>
            """
        let page = try ListObjectsV2Page.decode(xml: Fixtures.data(xml))
        #expect(page.objects == [S3Object(key: "k", size: 7)])
    }

    @Test("unknown elements, attributes and nested extras are skipped")
    func unknownElementsSkipped() throws {
        let xml = """
            <ListBucketResult xmlns:x="urn:x" x:attr="1"><Future><Deep><Deeper>v</Deeper></Deep></Future>\
            <IsTruncated>false</IsTruncated><Contents><RestoreStatus><IsRestoreInProgress>false</IsRestoreInProgress>\
            </RestoreStatus><Key>k</Key><ChecksumType>FULL_OBJECT</ChecksumType><Size>1</Size></Contents></ListBucketResult>
            """
        let page = try ListObjectsV2Page.decode(xml: Fixtures.data(xml))
        #expect(page.objects.map(\.key) == ["k"])
    }

    @Test("a Contents entry without a Key, or a listing without IsTruncated, is rejected")
    func missingRequiredElements() throws {
        let noKey = "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Size>1</Size></Contents></ListBucketResult>"
        let error = try #require(throws: S3XMLError.self) { try ListObjectsV2Page.decode(xml: Fixtures.data(noKey)) }
        #expect(error.code == .missingElement)
        #expect(error.detail == "no <Contents/Key>")

        let noTruncation = "<ListBucketResult><Name>b</Name></ListBucketResult>"
        let second = try #require(throws: S3XMLError.self) { try ListObjectsV2Page.decode(xml: Fixtures.data(noTruncation)) }
        #expect(second.code == .missingElement)
    }

    @Test(
        "bad numbers, booleans and timestamps are invalid values",
        arguments: [
            "<Contents><Key>k</Key><Size>12x</Size></Contents>",
            "<Contents><Key>k</Key><Size>99999999999999999999</Size></Contents>",
            "<Contents><Key>k</Key><LastModified>yesterday</LastModified></Contents>",
            "<KeyCount>-</KeyCount>",
            "<IsTruncated>maybe</IsTruncated>",
        ]
    )
    func invalidValues(fragment: String) throws {
        let xml = "<ListBucketResult><IsTruncated>false</IsTruncated>\(fragment)</ListBucketResult>"
        let error = try #require(throws: S3XMLError.self) { try ListObjectsV2Page.decode(xml: Fixtures.data(xml)) }
        #expect(error.code == .invalidValue)
    }

    @Test("numbers and booleans tolerate surrounding whitespace")
    func paddedValues() throws {
        let xml = """
            <ListBucketResult><IsTruncated> TRUE
            </IsTruncated><KeyCount> 1 </KeyCount><Contents><Key>k</Key><Size>
              42
            </Size><ETag>  "abc"  </ETag></Contents></ListBucketResult>
            """
        let page = try ListObjectsV2Page.decode(xml: Fixtures.data(xml))
        #expect(page.isTruncated)
        #expect(page.keyCount == 1)
        #expect(page.objects == [S3Object(key: "k", size: 42, eTag: "abc")])
    }

    @Test("a generated 1,000-key page decodes every key, size and ETag")
    func thousandKeys() throws {
        let (document, keys) = Fixtures.largeListing(count: 1000)
        let page = try ListObjectsV2Page.decode(xml: Fixtures.data(document))

        #expect(page.objects.count == 1000)
        #expect(page.objects.map(\.key) == keys)
        #expect(page.objects.map(\.size) == (0..<1000).map { Int64($0 * 1024) })
        #expect(page.objects.map(\.eTag) == (0..<1000).map { String(format: "%032x", $0) })
        #expect(page.objects.allSatisfy { $0.lastModified != nil && $0.owner == S3Owner(id: "owner") })
        #expect(page.isTruncated)
        #expect(page.nextContinuationToken == "token-1000")
        #expect(page.keyCount == 1000)
    }

    @Test("pages decode concurrently from many tasks")
    func concurrentDecoding() async throws {
        let (document, keys) = Fixtures.largeListing(count: 200)
        let data = Fixtures.data(document)
        let counts = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<16 {
                group.addTask { try ListObjectsV2Page.decode(xml: data).objects.map(\.key) }
            }
            var results: [[String]] = []
            for try await result in group { results.append(result) }
            return results
        }
        #expect(counts.count == 16)
        #expect(counts.allSatisfy { $0 == keys })
    }

    // MARK: ListBuckets

    @Test("ListBuckets decodes buckets, regions, owner and the continuation token")
    func listBuckets() throws {
        let page = try ListBucketsPage.decode(xml: Fixtures.data(Fixtures.listBucketsAWS))
        #expect(
            page.buckets == [
                S3Bucket(name: "mlops-artifacts", creationDate: Self.date("2026-01-15T10:30:00Z"), region: "eu-west-1"),
                S3Bucket(name: "mlops-models", creationDate: Date(timeIntervalSince1970: 1_767_225_599.999)),
            ]
        )
        #expect(page.owner == S3Owner(id: "bcaf1ffd86f461ca5fb16fd081034f", displayName: "webfile"))
        #expect(page.continuationToken == "eyJNYXJrZXIiOiJtbG9wcy1tb2RlbHMifQ==")
        #expect(page.prefix == "mlops-")
    }

    @Test("ListBuckets with no buckets and an empty owner")
    func listBucketsEmpty() throws {
        let page = try ListBucketsPage.decode(xml: Fixtures.data(Fixtures.listBucketsNone))
        #expect(page == ListBucketsPage())
    }

    // MARK: Multipart listings

    @Test("ListMultipartUploads decodes uploads, initiators, markers; empty owners become nil")
    func listMultipartUploads() throws {
        let page = try ListMultipartUploadsPage.decode(xml: Fixtures.data(Fixtures.listMultipartUploadsAWS))
        #expect(page.bucketName == "mlops-artifacts")
        #expect(page.keyMarker == "")
        #expect(page.nextKeyMarker == "my-movie.m2ts")
        #expect(page.nextUploadIDMarker == "YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ")
        #expect(page.maxUploads == 3)
        #expect(page.isTruncated)
        #expect(page.uploads.count == 2)
        let first = page.uploads[0]
        #expect(first.key == "my-divisor")
        #expect(first.uploadID == "XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw")
        #expect(first.initiator?.id == "arn:aws:iam::111122223333:user/user1-11111a31-17b5-4fb7-9df5-b111111f13de")
        #expect(first.owner?.displayName == "OwnerDisplayName")
        #expect(first.storageClass == "REDUCED_REDUNDANCY")
        #expect(first.initiated == Self.date("2010-11-10T20:48:33Z"))
        #expect(page.uploads[1].owner == nil)
        #expect(page.uploads[1].initiator == nil)
    }

    @Test("ListMultipartUploads with encoding-type=url decodes keys, markers, prefixes and delimiter")
    func listMultipartUploadsURLEncoded() throws {
        let page = try ListMultipartUploadsPage.decode(xml: Fixtures.data(Fixtures.listMultipartUploadsURLEncoded))
        #expect(page.keyMarker == "a b+c")
        #expect(page.nextKeyMarker == "sp ace/ü.bin")
        #expect(page.prefix == "sp ace/")
        #expect(page.delimiter == "/")
        #expect(page.uploads.map(\.key) == ["sp ace/ü.bin"])
        #expect(page.uploads.map(\.uploadID) == ["2~abc/def="])
        #expect(page.uploads[0].initiated == Date(timeIntervalSince1970: 1_795_953_600.5))
        #expect(page.commonPrefixes == ["sp ace/sub+dir/"])
        #expect(page.nextUploadIDMarker == "2~xyz")
        #expect(page.maxUploads == 10000)
    }

    @Test("ListParts decodes parts in order, with quoted and &#34; ETags")
    func listParts() throws {
        let page = try ListPartsPage.decode(xml: Fixtures.data(Fixtures.listParts))
        #expect(page.bucketName == "mlops-artifacts")
        #expect(page.key == "models/big model.bin")
        #expect(page.uploadID == "XXBsb2FkIElEIGZvciBlbHZpbmcncyVcdS1tb3ZpZS5tMnRzEEEwbG9hZA")
        #expect(page.partNumberMarker == 1)
        #expect(page.nextPartNumberMarker == 3)
        #expect(page.maxParts == 2)
        #expect(page.isTruncated)
        #expect(page.storageClass == "STANDARD")
        #expect(page.initiator?.displayName == "umat-user")
        #expect(
            page.parts == [
                UploadedPart(
                    partNumber: 2,
                    eTag: "7778aef83f66abc1fa1e8477f296d394",
                    size: 10_485_760,
                    lastModified: Self.date("2010-11-10T20:48:34Z")
                ),
                UploadedPart(
                    partNumber: 3,
                    eTag: "aaaa18db4cc2f85cedef654fccc4a4x8",
                    size: 10_485_760,
                    lastModified: Self.date("2010-11-10T20:48:33Z")
                ),
            ]
        )
    }

    @Test("ListParts on the first page may send empty markers; a part without an ETag is rejected")
    func listPartsEdges() throws {
        let first = """
            <ListPartsResult><PartNumberMarker></PartNumberMarker><NextPartNumberMarker>1</NextPartNumberMarker>\
            <MaxParts>1000</MaxParts><IsTruncated>false</IsTruncated><Part><PartNumber>1</PartNumber>\
            <ETag>"x"</ETag></Part></ListPartsResult>
            """
        let page = try ListPartsPage.decode(xml: Fixtures.data(first))
        #expect(page.partNumberMarker == nil)
        #expect(page.parts == [UploadedPart(partNumber: 1, eTag: "x")])

        let noETag = "<ListPartsResult><Part><PartNumber>1</PartNumber></Part></ListPartsResult>"
        let error = try #require(throws: S3XMLError.self) { try ListPartsPage.decode(xml: Fixtures.data(noETag)) }
        #expect(error.code == .missingElement)
        #expect(error.document == "ListPartsResult")
    }

    @Test("a listing decoder given another document reports the root it found")
    func wrongRoot() throws {
        let error = try #require(throws: S3XMLError.self) {
            try ListObjectsV2Page.decode(xml: Fixtures.data(Fixtures.listBucketsAWS))
        }
        #expect(error.code == .unexpectedDocument)
        #expect(error.document == "ListBucketResult")
        #expect(error.detail.contains("ListAllMyBucketsResult"))
    }

    @Test("a listing request answered 200 with an <Error> body throws the S3 error")
    func listingWithErrorBody() throws {
        let error = try #require(throws: S3Error.self) {
            try ListObjectsV2Page.decode(xml: Fixtures.data(Fixtures.errorNoSuchBucketMinIO))
        }
        #expect(error.code == .noSuchBucket)
        #expect(error.httpStatus == 200)
        #expect(error.bucket == "no-such-bucket-xyz")
    }
}
