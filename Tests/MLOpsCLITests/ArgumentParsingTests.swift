import ArgumentParser
import MLOpsKit
import Testing

@testable import MLOpsCLI

@Suite("Parsing of structured flag values")
struct ArgumentParsingTests {
    @Test func metricWithoutStepDefaultsToStepZero() throws {
        let metric = try ArgumentParsing.metric("accuracy=0.97", timestamp: 42)
        #expect(metric == Metric(key: "accuracy", value: 0.97, timestamp: 42, step: 0))
    }

    @Test func metricWithStep() throws {
        #expect(try ArgumentParsing.metric("loss=0.25@7", timestamp: 1).step == 7)
        #expect(
            try ArgumentParsing.metric("loss=-1e-3@-2", timestamp: 1)
                == Metric(key: "loss", value: -0.001, timestamp: 1, step: -2))
    }

    @Test(arguments: [
        ("nan", Double.nan), ("inf", .infinity), ("-inf", -.infinity), ("Infinity", .infinity), ("1e3", 1000),
    ])
    func metricValuesIncludeNonFiniteNumbers(text: String, expected: Double) throws {
        let value = try ArgumentParsing.metric("m=\(text)", timestamp: 0).value
        #expect(value == expected || (value.isNaN && expected.isNaN))
    }

    @Test func metricKeysKeepSpacesAndSlashes() throws {
        #expect(try ArgumentParsing.metric("eval/top 1=0.5@3", timestamp: 0).key == "eval/top 1")
    }

    @Test(arguments: [
        ("accuracy", "--metric 'accuracy' is not of the form key=value"),
        ("=0.5", "--metric '=0.5' has an empty key"),
        ("accuracy=high", "--metric 'accuracy=high': value 'high' is not a number"),
        ("accuracy=", "--metric 'accuracy=': value '' is not a number"),
        ("accuracy=0.5@", "--metric 'accuracy=0.5@': step '' is not a whole number"),
        ("accuracy=0.5@1.5", "--metric 'accuracy=0.5@1.5': step '1.5' is not a whole number"),
        ("accuracy=0.5@x@2", "--metric 'accuracy=0.5@x@2': value '0.5@x' is not a number"),
    ])
    func malformedMetricsNameTheArgument(argument: String, explanation: String) {
        #expect(throws: CLIError.invalid(explanation)) {
            _ = try ArgumentParsing.metric(argument, timestamp: 0)
        }
    }

    @Test func paramAndTagValuesKeepEqualsAndAtSigns() throws {
        #expect(try ArgumentParsing.param("query=a=b@c") == Param(key: "query", value: "a=b@c"))
        #expect(try ArgumentParsing.tag("note=") == RunTag(key: "note", value: ""))
        #expect(throws: CLIError.invalid("--param 'lr' is not of the form key=value")) {
            _ = try ArgumentParsing.param("lr")
        }
        #expect(throws: CLIError.invalid("--tag '=x' has an empty key")) {
            _ = try ArgumentParsing.tag("=x")
        }
    }

    @Test func malformedValuesExitWithStatusSix() {
        #expect(CLIError.invalid("x").exitCode == .validation)
        #expect(CLIExitCode.validation.rawValue == 6)
    }

    @Test func commaListsAreTrimmedAndMustNameSomething() throws {
        #expect(try ArgumentParsing.list("dev, test ,Production", flag: "--aliases") == ["dev", "test", "Production"])
        #expect(try ArgumentParsing.list("Production,,", flag: "--aliases") == ["Production"])
        let error = #expect(throws: CLIError.self) { _ = try ArgumentParsing.list(" , ", flag: "--aliases") }
        #expect(error?.explanation.hasPrefix("--aliases ' , ' names nothing") == true)
    }

    @Test(arguments: [
        ("all", PromotionCandidates.all), ("alias:Test", .alias("Test")), ("latest:3", .latest(3)),
    ])
    func candidates(argument: String, expected: PromotionCandidates) throws {
        #expect(try ArgumentParsing.candidates(argument) == expected)
    }

    @Test(arguments: ["", "best", "alias:", "latest:0", "latest:-1", "latest:x", "ALL"])
    func badCandidatesNameTheFlag(argument: String) {
        let error = #expect(throws: CLIError.self) { _ = try ArgumentParsing.candidates(argument) }
        #expect(error?.exitCode == .validation)
        #expect(error?.explanation == "--candidates '\(argument)' must be all, alias:NAME or latest:N (N at least 1)")
    }

    @Test func versions() throws {
        #expect(try ArgumentParsing.version("3") == "3")
        #expect(try ArgumentParsing.version("03") == "3")
        for bad in ["0", "-1", "v3", "latest", ""] {
            #expect(throws: CLIError.invalid("--version '\(bad)' is not a model version number such as 3")) {
                _ = try ArgumentParsing.version(bad)
            }
        }
    }

    @Test func filterLiteralsEscapeQuotesAndBackslashes() {
        #expect(SearchFilter.quoted(#"o'brien\x"#) == #"'o\'brien\\x'"#)
    }
}

@Suite("Command-line parsing")
struct CommandLineParsingTests {
    @Test func aliasSetTakesTheOriginalFlagNames() throws {
        let command = try MLOps.parseAsRoot([
            "alias", "set", "--model-name", "iris", "--version", "3", "--alias", "Production",
            "--tracking-uri", "http://mlflow:5000",
        ])
        let set = try #require(command as? AliasCommand.SetAlias)
        #expect(set.model.modelName == "iris")
        #expect(set.version == "3")
        #expect(set.alias == "Production")
        #expect(set.options.trackingURI == "http://mlflow:5000")
    }

    @Test func aliasStatusDefaultsToTheOriginalsJSON() throws {
        let status = try #require(
            try MLOps.parseAsRoot(["alias", "status", "--model-name", "iris"]) as? AliasCommand.Status)
        #expect(status.aliases == nil && !status.table && !status.options.json)
    }

    @Test func promoteDefaults() throws {
        let promote = try #require(
            try MLOps.parseAsRoot(["alias", "promote", "--metric", "rmse", "--order", "min"]) as? AliasCommand.Promote)
        #expect(promote.order == .min)
        #expect(promote.candidates == "all")
        #expect(!promote.dryRun)
        #expect(promote.model.modelName == nil && promote.alias == nil)
    }

    @Test func runsLogCollectsRepeatedFlags() throws {
        let log = try #require(
            try MLOps.parseAsRoot([
                "runs", "log", "abc", "--metric", "a=1", "--metric", "b=2@3", "--param", "p=x", "--tag", "t=y",
            ])
                as? RunsCommand.Log)
        #expect(log.runID == "abc" && log.data.metric == ["a=1", "b=2@3"] && log.data.param == ["p=x"] && log.data.tag == ["t=y"])
    }

    @Test func runsListDefaults() throws {
        let list = try #require(
            try MLOps.parseAsRoot(["runs", "list", "--experiment", "a", "--experiment", "b"]) as? RunsCommand.List)
        #expect(list.max == 50 && list.experiment == ["a", "b"] && list.view == .active)
    }

    @Test func parserErrorsAreUsageErrors() {
        for arguments in [
            ["alias", "set", "--model-name", "iris"], ["alias", "promote", "--metric", "m", "--order", "best"],
            ["runs", "list", "--max", "0"], ["nonsense"],
        ] {
            do {
                _ = try MLOps.parseAsRoot(arguments)
                Issue.record("\(arguments) should not parse")
            } catch {
                #expect(ErrorReporter.report(for: error).exitCode == .usage, "\(arguments)")
            }
        }
    }
}
