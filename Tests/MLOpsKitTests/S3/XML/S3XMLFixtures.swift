import Foundation

/// Response documents written from the S3 API reference and from what AWS, SeaweedFS, MinIO-derived
/// gateways and moto were seen to send.
enum S3XMLFixtures {
    static func data(_ text: String) -> Data { Data(text.utf8) }

    // MARK: ListObjectsV2

    /// AWS shape: namespace, quoted ETags as `&quot;`, owner, checksum algorithm, a truncated page.
    static let listObjectsAWS = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
            <Name>mlops-artifacts</Name>
            <Prefix>models/</Prefix>
            <KeyCount>3</KeyCount>
            <MaxKeys>3</MaxKeys>
            <Delimiter>/</Delimiter>
            <IsTruncated>true</IsTruncated>
            <ContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</ContinuationToken>
            <NextContinuationToken>1w41l63U0xa8q7smH50vCxyTQqdxo69O3EmK28Bi5PcROI4wI/EyIJg==</NextContinuationToken>
            <StartAfter>models/a</StartAfter>
            <Contents>
                <Key>models/model.pkl</Key>
                <LastModified>2026-11-29T08:15:30.123Z</LastModified>
                <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>
                <ChecksumAlgorithm>CRC32</ChecksumAlgorithm>
                <Size>434234</Size>
                <Owner>
                    <ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID>
                    <DisplayName>mlops-ci</DisplayName>
                </Owner>
                <StorageClass>STANDARD</StorageClass>
            </Contents>
            <Contents>
                <Key>models/weights.bin</Key>
                <LastModified>2026-11-29T08:16:00.000Z</LastModified>
                <ETag>&quot;d41d8cd98f00b204e9800998ecf8427e-3&quot;</ETag>
                <Size>5368709120</Size>
                <StorageClass>STANDARD_IA</StorageClass>
            </Contents>
            <CommonPrefixes>
                <Prefix>models/checkpoints/</Prefix>
            </CommonPrefixes>
        </ListBucketResult>
        """

    /// SeaweedFS / Go shape: `&#34;` ETags, no fractional seconds, last page with an empty token.
    static let listObjectsSeaweed = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>feat-1795913508</Name>\
        <Prefix>a/</Prefix><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>\
        <Contents><Key>a/000.txt</Key><ETag>&#34;5d41402abc4b2a76b9719d911017c592&#34;</ETag>\
        <Size>5</Size><Owner><ID>0</ID></Owner><StorageClass>STANDARD</StorageClass>\
        <LastModified>2026-11-29T12:00:01Z</LastModified></Contents>\
        <Contents><Key>a/001.txt</Key><ETag>&#34;7d793037a0760186574b0282f2f435e7&#34;</ETag>\
        <Size>5</Size><StorageClass>STANDARD</StorageClass>\
        <LastModified>2026-11-29T12:00:02Z</LastModified></Contents>\
        <KeyCount>2</KeyCount><NextContinuationToken></NextContinuationToken></ListBucketResult>
        """

    /// JuiceFS / MinIO with `encoding-type=url`: spaces as `+`, `+` as `%2B`.
    static let listObjectsURLEncodedPlus = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>artifacts</Name>\
        <Prefix>sp+ace%2F</Prefix><KeyCount>3</KeyCount><MaxKeys>1000</MaxKeys><Delimiter>%2F</Delimiter>\
        <IsTruncated>false</IsTruncated><StartAfter>sp+ace%2F0</StartAfter>\
        <Contents><Key>sp+ace/%C3%BC%2B%3D%26%3F.txt</Key><LastModified>2026-11-29T12:00:00.000Z</LastModified>\
        <ETag>&#34;0cc175b9c0f1b6a831c399e269772661&#34;</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass></Contents>\
        <Contents><Key>sp+ace/a%2Bb+c%25d.txt</Key><LastModified>2026-11-29T12:00:00.000Z</LastModified>\
        <ETag>&#34;0cc175b9c0f1b6a831c399e269772661&#34;</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass></Contents>\
        <CommonPrefixes><Prefix>sp+ace%2F%E3%83%A2%E3%83%87%E3%83%AB+1%2F</Prefix></CommonPrefixes>\
        <EncodingType>url</EncodingType></ListBucketResult>
        """

    /// moto / AWS with `encoding-type=url`: spaces as `%20`, EncodingType before the contents.
    static let listObjectsURLEncodedPercent = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <Name>bkt</Name><Prefix></Prefix><MaxKeys>1000</MaxKeys><EncodingType>url</EncodingType>
          <IsTruncated>false</IsTruncated><KeyCount>2</KeyCount>
          <Contents><Key>sp%20ace/%C3%BC%2B%3D%26%3F.txt</Key><Size>3</Size></Contents>
          <Contents><Key>%E6%A8%A1%E5%9E%8B/%F0%9F%A7%A0.onnx</Key><Size>4</Size></Contents>
        </ListBucketResult>
        """

    /// An empty bucket, no namespace.
    static let listObjectsEmpty = """
        <ListBucketResult><Name>empty</Name><Prefix/><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys>\
        <IsTruncated>false</IsTruncated></ListBucketResult>
        """

    /// A page of `count` keys, with characters that need escaping in some of them.
    static func largeListing(count: Int) -> (document: String, keys: [String]) {
        var keys: [String] = []
        var document = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>big</Name><Prefix>runs/</Prefix>\
            <KeyCount>\(count)</KeyCount><MaxKeys>\(count)</MaxKeys><IsTruncated>true</IsTruncated>\
            <NextContinuationToken>token-\(count)</NextContinuationToken>
            """
        for index in 0..<count {
            let key: String
            let escaped: String
            switch index % 4 {
            case 0:
                key = "runs/\(index / 10)/artifacts/model-\(index).bin"
                escaped = key
            case 1:
                key = "runs/\(index / 10)/metrics & params <\(index)>.json"
                escaped = "runs/\(index / 10)/metrics &amp; params &lt;\(index)&gt;.json"
            case 2:
                key = "runs/\(index / 10)/données/\"quoted\" \(index).csv"
                escaped = "runs/\(index / 10)/données/&#34;quoted&#34; \(index).csv"
            default:
                key = "runs/\(index / 10)/checkpoints/step-\(String(repeating: "0", count: 6))\(index).pt"
                escaped = key
            }
            keys.append(key)
            document += """

                <Contents><Key>\(escaped)</Key><LastModified>2026-11-29T08:\(String(format: "%02d", index % 60)):00.000Z</LastModified>\
                <ETag>&#34;\(String(format: "%032x", index))&#34;</ETag><Size>\(index * 1024)</Size>\
                <Owner><ID>owner</ID><DisplayName></DisplayName></Owner><StorageClass>STANDARD</StorageClass></Contents>
                """
        }
        document += "\n</ListBucketResult>\n"
        return (document, keys)
    }

    // MARK: ListBuckets

    static let listBucketsAWS = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <Owner><ID>bcaf1ffd86f461ca5fb16fd081034f</ID><DisplayName>webfile</DisplayName></Owner>
          <Buckets>
            <Bucket><Name>mlops-artifacts</Name><CreationDate>2026-01-15T10:30:00.000Z</CreationDate>\
        <BucketRegion>eu-west-1</BucketRegion></Bucket>
            <Bucket><Name>mlops-models</Name><CreationDate>2025-12-31T23:59:59.999Z</CreationDate></Bucket>
          </Buckets>
          <ContinuationToken>eyJNYXJrZXIiOiJtbG9wcy1tb2RlbHMifQ==</ContinuationToken>
          <Prefix>mlops-</Prefix>
        </ListAllMyBucketsResult>
        """

    /// MinIO shape: no namespace prefix issue, empty owner, no buckets element content.
    static let listBucketsNone = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID></ID>\
        <DisplayName></DisplayName></Owner><Buckets></Buckets></ListAllMyBucketsResult>
        """

    // MARK: Multipart uploads

    static let initiateMultipartUpload = """
        <?xml version="1.0" encoding="UTF-8"?>
        <InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <Bucket>mlops-artifacts</Bucket>
          <Key>models/big model.bin</Key>
          <UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA+/=</UploadId>
        </InitiateMultipartUploadResult>
        """

    static let listMultipartUploadsAWS = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <Bucket>mlops-artifacts</Bucket>
          <KeyMarker></KeyMarker>
          <UploadIdMarker></UploadIdMarker>
          <NextKeyMarker>my-movie.m2ts</NextKeyMarker>
          <NextUploadIdMarker>YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ</NextUploadIdMarker>
          <MaxUploads>3</MaxUploads>
          <IsTruncated>true</IsTruncated>
          <Upload>
            <Key>my-divisor</Key>
            <UploadId>XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw</UploadId>
            <Initiator>
              <ID>arn:aws:iam::111122223333:user/user1-11111a31-17b5-4fb7-9df5-b111111f13de</ID>
              <DisplayName>user1-11111a31-17b5-4fb7-9df5-b111111f13de</DisplayName>
            </Initiator>
            <Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID>\
        <DisplayName>OwnerDisplayName</DisplayName></Owner>
            <StorageClass>REDUCED_REDUNDANCY</StorageClass>
            <Initiated>2010-11-10T20:48:33.000Z</Initiated>
          </Upload>
          <Upload>
            <Key>my-movie.m2ts</Key>
            <UploadId>VXBsb2FkIElEIGZvciBlbHZpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>
            <Initiator><ID></ID><DisplayName></DisplayName></Initiator>
            <Owner><ID></ID><DisplayName></DisplayName></Owner>
            <StorageClass>STANDARD</StorageClass>
            <Initiated>2010-11-10T20:48:33Z</Initiated>
          </Upload>
        </ListMultipartUploadsResult>
        """

    static let listMultipartUploadsURLEncoded = """
        <ListMultipartUploadsResult><Bucket>b</Bucket><KeyMarker>a+b%2Bc</KeyMarker><UploadIdMarker></UploadIdMarker>\
        <NextKeyMarker>sp+ace%2F%C3%BC.bin</NextKeyMarker><NextUploadIdMarker>2~xyz</NextUploadIdMarker>\
        <Delimiter>%2F</Delimiter><Prefix>sp+ace%2F</Prefix><MaxUploads>10000</MaxUploads><IsTruncated>false</IsTruncated>\
        <Upload><Key>sp+ace/%C3%BC.bin</Key><UploadId>2~abc/def=</UploadId><StorageClass>STANDARD</StorageClass>\
        <Initiated>2026-11-29T12:00:00.5Z</Initiated></Upload>\
        <CommonPrefixes><Prefix>sp+ace/sub%2Bdir/</Prefix></CommonPrefixes>\
        <EncodingType>url</EncodingType></ListMultipartUploadsResult>
        """

    static let listParts = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <Bucket>mlops-artifacts</Bucket>
          <Key>models/big model.bin</Key>
          <UploadId>XXBsb2FkIElEIGZvciBlbHZpbmcncyVcdS1tb3ZpZS5tMnRzEEEwbG9hZA</UploadId>
          <Initiator><ID>arn:aws:iam::111122223333:user/some-user</ID><DisplayName>umat-user</DisplayName></Initiator>
          <Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID><DisplayName>someName</DisplayName></Owner>
          <StorageClass>STANDARD</StorageClass>
          <PartNumberMarker>1</PartNumberMarker>
          <NextPartNumberMarker>3</NextPartNumberMarker>
          <MaxParts>2</MaxParts>
          <IsTruncated>true</IsTruncated>
          <Part>
            <PartNumber>2</PartNumber>
            <LastModified>2010-11-10T20:48:34.000Z</LastModified>
            <ETag>"7778aef83f66abc1fa1e8477f296d394"</ETag>
            <Size>10485760</Size>
          </Part>
          <Part>
            <PartNumber>3</PartNumber>
            <LastModified>2010-11-10T20:48:33.000Z</LastModified>
            <ETag>&#34;aaaa18db4cc2f85cedef654fccc4a4x8&#34;</ETag>
            <Size>10485760</Size>
          </Part>
        </ListPartsResult>
        """

    static let completeMultipartUpload = """
        <?xml version="1.0" encoding="UTF-8"?>
        <CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <Location>http://127.0.0.1:8333/mlops-artifacts/models/big%20model.bin</Location>
          <Bucket>mlops-artifacts</Bucket>
          <Key>models/big model.bin</Key>
          <ETag>"3858f62230ac3c915f300c664312c11f-9"</ETag>
        </CompleteMultipartUploadResult>
        """

    /// A late failure: 200 status, whitespace padding sent while S3 worked, then an `<Error>`.
    static let completeMultipartUploadFailedLate = """
        \n    \n        \n<?xml version="1.0" encoding="UTF-8"?>
        \n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message>\
        <RequestId>656c76696e6727732072657175657374</RequestId>\
        <HostId>Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==</HostId></Error>
        """

    // MARK: DeleteObjects

    static let deleteResultMixed = """
        <?xml version="1.0" encoding="UTF-8"?>
        <DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <Deleted><Key>runs/1/model.pkl</Key></Deleted>
          <Deleted><Key>runs/1/sp ace &amp; ü+.txt</Key><VersionId>3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY</VersionId>\
        <DeleteMarker>true</DeleteMarker><DeleteMarkerVersionId>NeQt5xeFTfgPJD8B4CGWnkSLtluMr11s</DeleteMarkerVersionId></Deleted>
          <Error><Key>runs/1/locked.bin</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>
          <Error><Key>runs/1/odd.bin</Key><VersionId>v2</VersionId><Code>SomethingNew</Code><Message>Try later</Message></Error>
        </DeleteResult>
        """

    /// The JuiceFS gateway lists deletions without keys.
    static let deleteResultWithoutKeys = """
        <?xml version="1.0" encoding="UTF-8"?>
        <DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Deleted></Deleted><Deleted></Deleted></DeleteResult>
        """

    /// Quiet mode with nothing failing.
    static let deleteResultQuiet = #"<?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>"#

    // MARK: CopyObject

    static let copyObjectAWS = """
        <?xml version="1.0" encoding="UTF-8"?>
        <CopyObjectResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <LastModified>2026-11-29T09:30:00.250Z</LastModified>
          <ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag>
        </CopyObjectResult>
        """

    /// SeaweedFS: no namespace, no quotes.
    static let copyObjectSeaweed = """
        <CopyObjectResult><LastModified>2026-11-29T09:30:00Z</LastModified>\
        <ETag>9b2cf535f27731c974343645a3985328</ETag></CopyObjectResult>
        """

    static let copyPartResult = """
        <CopyPartResult><LastModified>2011-04-11T20:34:56.000Z</LastModified>\
        <ETag>"9b2cf535f27731c974343645a3985328"</ETag></CopyPartResult>
        """

    // MARK: Errors

    static let errorNoSuchKeyAWS = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>\
        <Key>no/such/key.txt</Key><RequestId>4442587FB7D0A2F9</RequestId>\
        <HostId>9Gjjt1m+cjU4OPvX9O9/8RuvnG41MRb/18Oux2o5H5MY7ISNTlXN+Dz9IG62/ILVxhAGI0qyPfg=</HostId></Error>
        """

    static let errorNoSuchKeySeaweed = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>\
        <Resource>/feat-1795913508/no/such/key.txt</Resource><RequestId>18EC5DD24C2DE15D1081A59A</RequestId>\
        <Key>no/such/key.txt</Key><BucketName>feat-1795913508</BucketName></Error>
        """

    static let errorNoSuchBucketMinIO = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message>\
        <BucketName>no-such-bucket-xyz</BucketName><Resource>/no-such-bucket-xyz</Resource>\
        <RequestId>18EC5DE8CC915755</RequestId><HostId></HostId></Error>
        """

    static let errorSignatureMismatchAWS = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match \
        the signature you provided. Check your key and signing method.</Message>\
        <AWSAccessKeyId>AKIAIOSFODNN7EXAMPLE</AWSAccessKeyId>\
        <StringToSign>AWS4-HMAC-SHA256
        20260101T000000Z
        20260101/us-east-1/s3/aws4_request
        7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972</StringToSign>\
        <SignatureProvided>f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41</SignatureProvided>\
        <StringToSignBytes>41 57 53 34 2d 48 4d 41 43</StringToSignBytes>\
        <CanonicalRequest>GET
        /bkt/model.bin
        X-Amz-Algorithm=AWS4-HMAC-SHA256&amp;X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&amp;X-Amz-Date=20260101T000000Z&amp;X-Amz-Expires=86400&amp;X-Amz-Security-Token=IQoJb3JpZ2luX2VjEXAMPLETOKEN&amp;X-Amz-SignedHeaders=host
        host:127.0.0.1:8333
        x-amz-security-token:IQoJb3JpZ2luX2VjEXAMPLETOKEN

        host;x-amz-security-token
        UNSIGNED-PAYLOAD</CanonicalRequest>\
        <CanonicalRequestBytes>47 45 54 0a</CanonicalRequestBytes>\
        <RequestId>TX1234</RequestId><HostId>host-id-1</HostId></Error>
        """

    static let errorRequestExpired = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Error><Code>AccessDenied</Code><Message>Request has expired</Message><Resource>/bkt1/hello.txt</Resource>\
        <RequestId>18EC5DD0D65A4F9D669AE5AF</RequestId><Key>hello.txt</Key><BucketName>bkt1</BucketName></Error>
        """

    static let errorClockSkew = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the \
        server&#39;s time is too large.</Message><RequestTime>20200101T000000Z</RequestTime>\
        <ServerTime>2026-11-29T12:00:00Z</ServerTime><MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds>\
        <RequestId>18EC5DD0D65A4F9D</RequestId></Error>
        """

    static let errorContentSHA256Mismatch = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Error><Code>XAmzContentSHA256Mismatch</Code><Message>The provided &#39;x-amz-content-sha256&#39; header \
        does not match what was computed.</Message><Key>tampered.bin</Key><BucketName>feat-1795913605</BucketName>\
        <Resource>/feat-1795913605/tampered.bin</Resource><RequestId>18EC5DE8CC3A0504</RequestId><HostId></HostId></Error>
        """

    static let errorMissingContentMD5 = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Error><Code>MissingContentMD5</Code><Message>Missing required header for this request: Content-Md5.</Message>\
        <BucketName>feat</BucketName><Resource>/feat</Resource><RequestId>18EC5DE8</RequestId><HostId></HostId></Error>
        """

    static let errorSlowDown = """
        <Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>R1</RequestId></Error>
        """

    static let errorPermanentRedirect = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed \
        using the specified endpoint.</Message><Endpoint>mlops-artifacts.s3.eu-west-1.amazonaws.com</Endpoint>\
        <Bucket>mlops-artifacts</Bucket><RequestId>R2</RequestId><HostId>H2</HostId></Error>
        """

    static let errorAuthorizationHeaderMalformed = """
        <Error xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Code>AuthorizationHeaderMalformed</Code>\
        <Message>The authorization header is malformed; the region is wrong; expecting &apos;us-east-1&apos;.</Message>\
        <Region>us-east-1</Region><RequestId>R3</RequestId></Error>
        """

    static let htmlBadGateway = """
        <!DOCTYPE html>
        <html>
        <head><title>502 Bad Gateway</title><style>body { color: red }</style></head>
        <body>
        <center><h1>502 Bad Gateway</h1></center>
        <hr><center>nginx/1.22.1</center>
        </body>
        </html>
        """
}
