import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsAutoserve

@Suite("S3 XML: operation results")
struct S3XMLResultTests {
    typealias Fixtures = S3XMLFixtures

    // MARK: Multipart uploads

    @Test("CreateMultipartUpload gives the key and the upload ID as sent, + and / included")
    func initiate() throws {
        let upload = try MultipartUpload.decodeInitiateResult(xml: Fixtures.data(Fixtures.initiateMultipartUpload))
        #expect(upload.key == "models/big model.bin")
        #expect(upload.uploadID == "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA+/=")
        #expect(upload.initiated == nil)
    }

    @Test("CreateMultipartUpload without an upload ID is rejected")
    func initiateWithoutUploadID() throws {
        for xml in [
            "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key></InitiateMultipartUploadResult>",
            "<InitiateMultipartUploadResult><Key>k</Key><UploadId></UploadId></InitiateMultipartUploadResult>",
        ] {
            let error = try #require(throws: S3XMLError.self) {
                try MultipartUpload.decodeInitiateResult(xml: Fixtures.data(xml))
            }
            #expect(error.code == .missingElement)
            #expect(error.document == "InitiateMultipartUploadResult")
        }
    }

    @Test("CompleteMultipartUpload decodes location, bucket, key and the multipart ETag")
    func complete() throws {
        let result = try CompleteMultipartUploadResult.decode(xml: Fixtures.data(Fixtures.completeMultipartUpload))
        #expect(
            result
                == CompleteMultipartUploadResult(
                    location: "http://127.0.0.1:8333/mlops-artifacts/models/big%20model.bin",
                    bucketName: "mlops-artifacts",
                    key: "models/big model.bin",
                    eTag: "3858f62230ac3c915f300c664312c11f-9"
                )
        )
    }

    @Test("CompleteMultipartUpload answered 200 with whitespace padding and an <Error> throws a retryable S3Error")
    func completeFailedLate() throws {
        let error = try #require(throws: S3Error.self) {
            try CompleteMultipartUploadResult.decode(xml: Fixtures.data(Fixtures.completeMultipartUploadFailedLate))
        }
        #expect(error.code == .internalError)
        #expect(error.httpStatus == 200)
        #expect(error.message == "We encountered an internal error. Please try again.")
        #expect(error.requestID == "656c76696e6727732072657175657374")
        #expect(error.hostID == "Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==")
        #expect(error.isRetryable)
    }

    @Test("CompleteMultipartUpload answered 200 with a non-retryable <Error> (InvalidPart, EntityTooSmall)")
    func completeFailedInvalidPart() throws {
        for (code, expected) in [("InvalidPart", S3Error.Code.invalidPart), ("EntityTooSmall", .entityTooSmall)] {
            let xml = "<Error><Code>\(code)</Code><Message>m</Message><UploadId>u</UploadId></Error>"
            let error = try #require(throws: S3Error.self) {
                try CompleteMultipartUploadResult.decode(xml: Fixtures.data(xml))
            }
            #expect(error.code == expected)
            #expect(!error.isRetryable)
            #expect(error.additionalFields == ["UploadId": "u"])
        }
    }

    @Test("an empty 200 CompleteMultipartUpload body is malformed, not a success")
    func completeEmptyBody() throws {
        for body in ["", "   \n  "] {
            let error = try #require(throws: S3XMLError.self) {
                try CompleteMultipartUploadResult.decode(xml: Fixtures.data(body))
            }
            #expect(error.code == .malformed)
            #expect(error.document == "CompleteMultipartUploadResult")
        }
    }

    // MARK: DeleteObjects

    @Test("DeleteResult with deleted keys and per-key errors side by side")
    func deleteMixed() throws {
        let result = try DeleteObjectsResult.decode(xml: Fixtures.data(Fixtures.deleteResultMixed))
        #expect(
            result.deleted == [
                .init(key: "runs/1/model.pkl"),
                .init(
                    key: "runs/1/sp ace & ü+.txt",
                    versionID: "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY",
                    deleteMarker: true,
                    deleteMarkerVersionID: "NeQt5xeFTfgPJD8B4CGWnkSLtluMr11s"
                ),
            ]
        )
        #expect(result.deletedKeys == ["runs/1/model.pkl", "runs/1/sp ace & ü+.txt"])
        #expect(
            result.failures == [
                .init(key: "runs/1/locked.bin", code: .accessDenied, message: "Access Denied"),
                .init(key: "runs/1/odd.bin", versionID: "v2", code: S3Error.Code(rawValue: "SomethingNew"), message: "Try later"),
            ]
        )
    }

    @Test("DeleteResult entries without keys (JuiceFS gateway) are left out; quiet mode gives an empty result")
    func deleteQuirks() throws {
        #expect(try DeleteObjectsResult.decode(xml: Fixtures.data(Fixtures.deleteResultWithoutKeys)) == DeleteObjectsResult())
        #expect(try DeleteObjectsResult.decode(xml: Fixtures.data(Fixtures.deleteResultQuiet)) == DeleteObjectsResult())
    }

    @Test("a whole DeleteObjects request refused with an <Error> document throws it")
    func deleteRefused() throws {
        let error = try #require(throws: S3Error.self) {
            try DeleteObjectsResult.decode(xml: Fixtures.data(Fixtures.errorMissingContentMD5))
        }
        #expect(error.code == .missingContentMD5)
        #expect(error.hostID == nil)
        #expect(error.bucket == "feat")
    }

    // MARK: CopyObject

    @Test("CopyObject with a namespace and &quot; ETag")
    func copyAWS() throws {
        let result = try CopyObjectResult.decode(xml: Fixtures.data(Fixtures.copyObjectAWS))
        #expect(
            result
                == CopyObjectResult(
                    eTag: "9b2cf535f27731c974343645a3985328",
                    lastModified: Date(timeIntervalSince1970: 1_795_944_600.25)
                )
        )
    }

    @Test("CopyObject from SeaweedFS: no namespace, unquoted ETag")
    func copySeaweed() throws {
        let result = try CopyObjectResult.decode(xml: Fixtures.data(Fixtures.copyObjectSeaweed))
        #expect(result.eTag == "9b2cf535f27731c974343645a3985328")
        #expect(result.lastModified == Date(timeIntervalSince1970: 1_795_944_600))
    }

    @Test("UploadPartCopy's CopyPartResult decodes with the same type")
    func copyPart() throws {
        let result = try CopyObjectResult.decode(xml: Fixtures.data(Fixtures.copyPartResult))
        #expect(result.eTag == "9b2cf535f27731c974343645a3985328")
    }

    @Test("CopyObject answered 200 with an <Error> throws it")
    func copyFailedLate() throws {
        let error = try #require(throws: S3Error.self) {
            try CopyObjectResult.decode(xml: Fixtures.data(Fixtures.errorSlowDown))
        }
        #expect(error.code == .slowDown)
        #expect(error.isRetryable)
    }

    // MARK: Values

    @Test(
        "ISO 8601 timestamps in the forms servers send",
        arguments: [
            ("2009-10-12T17:50:30.000Z", 1_255_369_830.0),
            ("2009-10-12T17:50:30Z", 1_255_369_830.0),
            ("2009-10-12T17:50:30.5Z", 1_255_369_830.5),
            ("2009-10-12T17:50:30.123456789Z", 1_255_369_830.123456789),
            ("2009-10-12T19:50:30+02:00", 1_255_369_830.0),
            ("2009-10-12T15:50:30.000-0200", 1_255_369_830.0),
            ("2009-10-12 17:50:30z", 1_255_369_830.0),
            ("2024-02-29T00:00:00Z", 1_709_164_800.0),
            ("1970-01-01T00:00:00Z", 0.0),
        ]
    )
    func timestamps(text: String, seconds: Double) throws {
        let date = try #require(S3Timestamp.date(from: text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 1e-6)
    }

    @Test(
        "malformed timestamps are refused",
        arguments: [
            "", "2009-10-12", "2009-10-12T17:50:30", "2009-10-12T17:50:30.Z", "2009-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z", "2009-10-12T24:00:00Z", "2009-10-12T17:50:30Zjunk", "２００９-10-12T17:50:30Z",
            "Mon, 12 Oct 2009 17:50:30 GMT",
        ]
    )
    func badTimestamps(text: String) {
        #expect(S3Timestamp.date(from: text) == nil)
    }

    @Test(
        "ETags lose surrounding quotes and whitespace only",
        arguments: [
            (#""abc""#, "abc"), ("abc", "abc"), (#" "abc-2" "#, "abc-2"), ("\"", "\""), ("\"\"", ""),
            (#"W/"abc""#, #"W/"abc""#),
        ]
    )
    func eTags(raw: String, expected: String) {
        #expect(S3XMLDecoding.eTag(raw) == expected)
    }

    @Test(
        "form decoding: + is a space, %2B is a plus, UTF-8 escapes decode",
        arguments: [
            ("a+b", "a b"), ("a%2Bb", "a+b"), ("a%2bb", "a+b"), ("%20%2B+", " + "), ("%C3%BC", "ü"),
            ("%E3%83%A2%E3%83%87%E3%83%AB", "モデル"), ("plain/key.txt", "plain/key.txt"), ("100%25", "100%"),
        ]
    )
    func formDecoding(encoded: String, decoded: String) throws {
        #expect(try S3XMLDecoding.formDecoded(encoded, element: "Key") == decoded)
    }

    @Test("form decoding refuses broken escapes and escapes that are not UTF-8", arguments: ["%", "%4", "%GG", "%C3", "%FF%FE"])
    func formDecodingFailures(encoded: String) {
        #expect(throws: S3XMLError.self) { try S3XMLDecoding.formDecoded(encoded, element: "Key") }
    }
}
