import ArgumentParser
import MLOpsKit

/// `--metric`, `--param` and `--tag`, shared by `runs create` and `runs log`.
struct RunDataOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A metric value, as key=value or key=value@step (repeatable).", valueName: "key=value[@step]"))
    var metric: [String] = []

    @Option(help: ArgumentHelp("A param, as key=value (repeatable).", valueName: "key=value"))
    var param: [String] = []

    @Option(help: ArgumentHelp("A tag, as key=value (repeatable).", valueName: "key=value"))
    var tag: [String] = []

    /// Every flag parsed and checked, before anything is sent; metrics get `timestamp`.
    func parsed(timestamp: Int64) throws -> (metrics: [Metric], params: [Param], tags: [RunTag]) {
        (
            try metric.map { try ArgumentParsing.metric($0, timestamp: timestamp) },
            try param.map { try ArgumentParsing.param($0) },
            try tag.map { try ArgumentParsing.tag($0) }
        )
    }

    var isEmpty: Bool { metric.isEmpty && param.isEmpty && tag.isEmpty }
}
