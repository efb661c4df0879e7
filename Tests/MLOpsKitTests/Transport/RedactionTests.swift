import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsAutoserve

@Suite("Redaction")
struct RedactionTests {
    @Test func masksURLPasswords() {
        let text = Redaction.redact("https://alice:s3cr3t@mlflow.example:5000/api?x=1")
        #expect(!text.contains("s3cr3t"))
        #expect(text.contains("alice"))
        #expect(text.contains("mlflow.example:5000/api?x=1"))
    }

    @Test func masksSignatureQueryParameters() {
        let url = "http://127.0.0.1:9000/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F2024&X-Amz-Signature=deadbeef&X-Amz-Security-Token=tok&prefix=a"
        let text = Redaction.redact(url)
        #expect(!text.contains("deadbeef"))
        #expect(!text.contains("tok&"))
        #expect(!text.contains("AKIA"))
        #expect(text.contains("X-Amz-Algorithm=AWS4-HMAC-SHA256"))
        #expect(text.contains("prefix=a"))
    }

    @Test func masksSecretHeaders() {
        let headers: TransportHeaders = [
            "Authorization": "Basic YWxpY2U6czNjcjN0", "Cookie": "session=1", "X-Amz-Security-Token": "t",
            "Content-Type": "application/json",
        ]
        let lines = Redaction.redact(headers)
        #expect(lines.contains("Authorization: ***"))
        #expect(lines.contains("Cookie: ***"))
        #expect(lines.contains("X-Amz-Security-Token: ***"))
        #expect(lines.contains("Content-Type: application/json"))
    }

    @Test func masksUnparseableURLsWithUserInfo() {
        #expect(!Redaction.redact("http://bob:pw@host with space/").contains("pw@"))
    }
}
