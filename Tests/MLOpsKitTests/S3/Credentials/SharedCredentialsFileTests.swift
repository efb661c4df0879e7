import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow

@Suite("Credentials: shared credentials file parsing")
struct SharedCredentialsFileTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

    private func parse(_ text: String) throws(CredentialError) -> SharedCredentialsFile {
        try SharedCredentialsFile(parsing: text, path: "/home/me/.aws/credentials")
    }

    private func parseError(_ text: String) -> CredentialError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func profilesCommentsAndWhitespace() throws {
        let file = try parse(
            """
            # a comment
            ; another comment

            [default]
            aws_access_key_id = AKIAIOSFODNN7EXAMPLE
            aws_secret_access_key=\(Self.secret)   ; inline comment
              # indented comment
            AWS_Session_Token =  token/with+chars==  # inline comment

            [ ci ]   # trailing comment on a header
            aws_access_key_id\t=\tAKIACI
            aws_secret_access_key = s#not-a-comment;either
            region = eu-west-1
            s3 =
              addressing_style = path
              signature_version = s3v4
            [profile dev]
            aws_access_key_id = AKIADEV
            empty =
            """)
        #expect(file.profileNames == ["default", "ci", "profile dev"])
        #expect(
            file.profiles["default"]?.properties == [
                "aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": Self.secret,
                "aws_session_token": "token/with+chars==",
            ])
        #expect(file.profiles["default"]?.line == 4)
        #expect(file.profiles["ci"]?.properties["aws_access_key_id"] == "AKIACI")
        #expect(file.profiles["ci"]?.properties["aws_secret_access_key"] == "s#not-a-comment;either")
        #expect(file.profiles["ci"]?.properties["s3"] == "")
        #expect(file.profiles["ci"]?.properties["addressing_style"] == nil)
        #expect(file.profiles["ci"]?.line == 10)
        #expect(file.profiles["profile dev"]?.properties == ["aws_access_key_id": "AKIADEV", "empty": ""])
    }

    @Test func windowsLineEndingsAndByteOrderMark() throws {
        let file = try parse(
            "\u{FEFF}[default]\r\naws_access_key_id = A\r\naws_secret_access_key = B\r\n\r\n[x]\r\nk=v")
        #expect(file.profiles["default"]?.properties == ["aws_access_key_id": "A", "aws_secret_access_key": "B"])
        #expect(file.profiles["x"]?.line == 5)
    }

    @Test func repeatedProfilesMergeAndLaterValuesWin() throws {
        let file = try parse(
            """
            [default]
            aws_access_key_id = OLD
            [other]
            a = 1
            [default]
            aws_access_key_id = NEW
            aws_secret_access_key = S
            """)
        #expect(file.profileNames == ["default", "other"])
        #expect(file.profiles["default"]?.properties == ["aws_access_key_id": "NEW", "aws_secret_access_key": "S"])
        #expect(file.profiles["default"]?.line == 1)
    }

    @Test func emptyFileHasNoProfiles() throws {
        #expect(try parse("").profileNames.isEmpty)
        #expect(try parse("\n# only comments\n\n").profileNames.isEmpty)
    }

    @Test(arguments: [
        ("aws_secret_access_key = SECRETVALUE", 1, nil as String?, "a property before any [profile] header"),
        ("[default]\naws_access_key_id AKIA SECRETVALUE", 2, "default", "expected key = value"),
        ("[default\naws_access_key_id = x", 1, nil, "a profile header needs a closing ']'"),
        ("[]\n", 1, nil, "empty profile name"),
        ("[default] SECRETVALUE\n", 1, nil, "unexpected text after the profile header"),
        ("  indented = SECRETVALUE\n[default]", 1, nil, "indented line outside a property"),
        ("[a]\nk = v\n[b]\n  SECRETVALUE", 4, "b", "indented line outside a property"),
        ("[default]\n= SECRETVALUE", 2, "default", "a property without a name"),
    ])
    func malformedLinesNameFileLineAndProfileButNeverTheValue(
        text: String, line: Int, profile: String?, detail: String
    ) throws {
        let error = try #require(parseError(text))
        #expect(error.code == .malformedFile)
        #expect(error.path == "/home/me/.aws/credentials")
        #expect(error.line == line)
        #expect(error.profile == profile)
        #expect(error.detail == detail)
        #expect(error.description.hasPrefix("/home/me/.aws/credentials:\(line): malformed credentials file"))
        #expect(!error.description.contains("SECRETVALUE"))
        #expect(!String(reflecting: error).contains("SECRETVALUE"))
    }
}
