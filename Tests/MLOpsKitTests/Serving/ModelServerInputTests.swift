import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsServing
@testable import MLOpsAutoserve

@Suite struct ModelServerInputTests {
    @Test(arguments: [
        #"{"dataframe_split": {"columns": ["x"], "data": [[1.0]]}}"#,
        #"{"dataframe_records": [{"x": 1.0}]}"#,
        #"{"instances": [[1, 2]]}"#,
        #"{"inputs": {"x": [1]}, "params": {"k": 2}}"#,
    ])
    func acceptsEveryScoringFormat(_ text: String) throws {
        let input = try ModelServerInput.json(Data(text.utf8))
        #expect(input.format.contentType == "application/json")
        #expect(input.body == Data(text.utf8), "the bytes are sent as read")
    }

    @Test func refusesWhatTheScoringServerWouldRefuse() {
        #expect(throws: ModelServerInputError.self) { try ModelServerInput.json(Data("not json".utf8)) }
        #expect(throws: ModelServerInputError.self) { try ModelServerInput.json(Data("[1, 2]".utf8)) }
        #expect(throws: ModelServerInputError.self) { try ModelServerInput.json(Data()) }
        do {
            _ = try ModelServerInput.json(Data(#"{"rows": [1]}"#.utf8))
            Issue.record("an object without an input key was accepted")
        } catch {
            #expect(error.reason.contains("dataframe_split") && error.reason.contains("rows"))
        }
        #expect(throws: ModelServerInputError.self) {
            try ModelServerInput.json(Data(#"{"inputs": [1], "instances": [1]}"#.utf8))
        }
    }

    @Test func csvMustBeNonEmptyText() throws {
        let input = try ModelServerInput.csv(Data("x,y\n1,2\n".utf8))
        #expect(input.format.contentType == "text/csv")
        #expect(throws: ModelServerInputError.self) { try ModelServerInput.csv(Data(" \n".utf8)) }
        #expect(throws: ModelServerInputError.self) { try ModelServerInput.csv(Data([0xff, 0xfe, 0x00])) }
    }

    @Test func errorBodiesOfTheScoringServer() {
        let mlflow = ModelServerErrorBody.parse(
            Data(#"{"error_code": "BAD_REQUEST", "message": "Invalid input.\nTraceback…", "stack_trace": "…"}"#.utf8))
        #expect(mlflow.code == "BAD_REQUEST")
        #expect(mlflow.message == "Invalid input.")
        let html = ModelServerErrorBody.parse(Data("<html>502 Bad Gateway</html>\n<body/>".utf8))
        #expect(html.code == nil)
        #expect(html.message == "<html>502 Bad Gateway</html>")
    }
}
