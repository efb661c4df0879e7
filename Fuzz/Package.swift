// swift-tools-version: 6.1

// libFuzzer targets for MLOpsKit's parsers of outside input. A package of its own so that the root
// package never needs the sanitizer: build it with `swift build --sanitize fuzzer`, or run
// scripts/fuzz, which builds it and runs each target over its seed corpus in Corpus/<target>/.
//
// One executable holds every target; MLOPSKIT_FUZZ_TARGET picks the one a run exercises. The
// per-target bodies live in the root package's unit tests (Tests/MLOpsKitTests/Fuzzing/FuzzTargets.swift,
// linked here), so the regression tests replay the seed corpus through the very code the fuzzer runs.

import PackageDescription

let package = Package(
    name: "MLOpsKitFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "MLOpsKit", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "MLOpsKitFuzzer",
            // The target bodies reach into the modules behind MLOpsKit with @testable import.
            dependencies: [
                .product(name: "MLOpsKit", package: "MLOpsKit"),
                .product(name: "MLOpsCore", package: "MLOpsKit"),
                .product(name: "MLOpsS3", package: "MLOpsKit"),
                .product(name: "MLOpsMLflow", package: "MLOpsKit"),
                .product(name: "MLOpsServing", package: "MLOpsKit"),
                .product(name: "MLOpsAutoserve", package: "MLOpsKit"),
            ]
        ),
    ]
)
