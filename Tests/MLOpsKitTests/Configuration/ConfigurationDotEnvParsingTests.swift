import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsMLflow
@testable import MLOpsServing

@Suite("Configuration: .env parsing")
struct ConfigurationDotEnvParsingTests {
    private func parse(_ text: String, environment: [String: String] = [:]) throws -> DotEnvFile {
        try DotEnvFile(parsing: text, path: "test.env", environment: environment)
    }

    @Test func plainAssignmentsBlankLinesAndComments() throws {
        let file = try parse(
            """
            # The stack's settings

            MLFLOW_TRACKING_URI=http://mlflow:5000
               # an indented comment
            MLFLOW_MODEL_NAME=iris_classifier
            """)
        #expect(file.values == ["MLFLOW_TRACKING_URI": "http://mlflow:5000", "MLFLOW_MODEL_NAME": "iris_classifier"])
        #expect(file.entries.map(\.line) == [3, 5])
        #expect(file.path == "test.env")
    }

    @Test func exportPrefixAndWhitespaceAroundEquals() throws {
        let file = try parse("export A=1\nexport\tB = two words  \n  C =3\nexport=4\n")
        #expect(file.values == ["A": "1", "B": "two words", "C": "3", "export": "4"])
    }

    @Test func inlineCommentsOnUnquotedValues() throws {
        let file = try parse(
            """
            A=value # a comment
            B=value\t# after a tab
            C=a#b
            D= # only a comment
            E=#not-a-comment
            F=
            """)
        #expect(file["A"] == "value")
        #expect(file["B"] == "value")
        #expect(file["C"] == "a#b")
        #expect(file["D"] == "")
        #expect(file["E"] == "#not-a-comment")
        #expect(file["F"] == "")
    }

    @Test func singleQuotedValuesAreLiteral() throws {
        let file = try parse(#"A='${HOME} \n # kept'  # comment"#, environment: ["HOME": "/root"])
        #expect(file["A"] == #"${HOME} \n # kept"#)
    }

    @Test func doubleQuotedValuesUnderstandEscapes() throws {
        let file = try parse(#"A="line1\nline2 \"quoted\" back\\slash tab\t \$HOME \q" # comment"#)
        #expect(file["A"] == "line1\nline2 \"quoted\" back\\slash tab\t $HOME \\q")
    }

    @Test func quotedValuesMaySpanLines() throws {
        let file = try parse("A=\"first\nsecond\"\nB='x\r\ny'\nC=after\n")
        #expect(file["A"] == "first\nsecond")
        #expect(file["B"] == "x\ny")
        #expect(file["C"] == "after")
        #expect(file.entries.map(\.line) == [1, 3, 5])
    }

    @Test func windowsLineEndingsAndByteOrderMark() throws {
        let file = try parse("\u{FEFF}A=1\r\n# comment\r\nB=\"2\"\r\n")
        #expect(file.values == ["A": "1", "B": "2"])
        #expect(file.entries.map(\.line) == [1, 3])
    }

    @Test func repeatedKeysKeepTheLastValue() throws {
        let file = try parse("A=1\nA=2\n")
        #expect(file["A"] == "2")
        #expect(file.entries.count == 2)
    }

    @Test func referencesExpandEarlierKeys() throws {
        let file = try parse(
            """
            MINIO_ROOT_USER=minio
            AWS_ACCESS_KEY_ID=${MINIO_ROOT_USER}
            GREETING="user ${MINIO_ROOT_USER}!"
            LATER=${DEFINED_BELOW}
            DEFINED_BELOW=x
            """)
        #expect(file["AWS_ACCESS_KEY_ID"] == "minio")
        #expect(file["GREETING"] == "user minio!")
        #expect(file["LATER"] == "")
    }

    @Test func referencesLookAtTheEnvironmentFirst() throws {
        let file = try parse("USER_NAME=file\nA=${USER_NAME}\nB=${ONLY_IN_ENV}\n", environment: [
            "USER_NAME": "env", "ONLY_IN_ENV": "e",
        ])
        #expect(file["A"] == "env")
        #expect(file["B"] == "e")
        #expect(file["USER_NAME"] == "file")
    }

    @Test func unknownReferencesExpandToEmpty() throws {
        let file = try parse("A=before${NOPE}after\n")
        #expect(file["A"] == "beforeafter")
    }

    @Test func referenceDefaults() throws {
        let file = try parse(
            """
            EMPTY=
            SET=value
            A=${UNSET:-fallback}
            B=${EMPTY:-fallback}
            C=${EMPTY-fallback}
            D=${UNSET-fallback}
            E=${SET:-fallback}
            F=${UNSET:-${SET}/nested}
            G="${UNSET:-with spaces}"
            """)
        #expect(file["A"] == "fallback")
        #expect(file["B"] == "fallback")
        #expect(file["C"] == "")
        #expect(file["D"] == "fallback")
        #expect(file["E"] == "value")
        #expect(file["F"] == "value/nested")
        #expect(file["G"] == "with spaces")
    }

    @Test func dollarWithoutBraceIsLiteral() throws {
        let file = try parse("PASSWORD=pa$$word$HOME\n", environment: ["HOME": "/root"])
        #expect(file["PASSWORD"] == "pa$$word$HOME")
    }

    @Test func keyValidation() {
        #expect(DotEnvFile.isValidKey("MLFLOW_TRACKING_URI"))
        #expect(DotEnvFile.isValidKey("_private1"))
        #expect(!DotEnvFile.isValidKey("1ABC"))
        #expect(!DotEnvFile.isValidKey("A-B"))
        #expect(!DotEnvFile.isValidKey(""))
        #expect(!DotEnvFile.isValidKey("ÄB"))
    }
}
