import Foundation
import Testing

/// When the shared SigV4 vectors are missing, the suites skip on a developer's checkout but fail where
/// services are required or in CI.
@Suite("SigV4: missing vectors fail where required")
struct SigV4VectorRequirementTests {
    @Test func missingVectorsAreRequiredWithServicesOrInCI() {
        #expect(!SigV4TestSupport.vectorsRequired([:]))
        #expect(!SigV4TestSupport.vectorsRequired(["MLOPSKIT_REQUIRE_SERVICES": "0", "CI": "false"]))
        #expect(SigV4TestSupport.vectorsRequired(["MLOPSKIT_REQUIRE_SERVICES": "1"]))
        #expect(SigV4TestSupport.vectorsRequired(["CI": "true"]))
        #expect(SigV4TestSupport.vectorsRequired(["CI": "TRUE"]))
    }

    @Test func aSuiteRunsWhenItsVectorsAreThereOrRequired() {
        #expect(SigV4TestSupport.runsVectorSuite(available: true, environment: [:]))
        #expect(!SigV4TestSupport.runsVectorSuite(available: false, environment: [:]), "skipped on a checkout")
        #expect(SigV4TestSupport.runsVectorSuite(available: false, environment: ["CI": "true"]), "run, to fail")
        #expect(SigV4TestSupport.runsVectorSuite(available: false, environment: ["MLOPSKIT_REQUIRE_SERVICES": "1"]))
    }

    /// The check the suites' count tests make records an issue for a missing path.
    @Test func aMissingPathIsRecorded() {
        let missing = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)/vectors")
        withKnownIssue("a missing vector path is recorded as a failure") {
            #expect(!SigV4TestSupport.requireVectors(at: missing))
        }
        #expect(SigV4TestSupport.requireVectors(at: URL(fileURLWithPath: #filePath)))
    }
}
