// swift-tools-version: 6.1

import PackageDescription

let package = Package(
    name: "MLOpsKit",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "MLOpsKit", targets: ["MLOpsKit"]),
        .executable(name: "mlops", targets: ["MLOpsCLI"]),
        .executable(name: "autoserve-agent", targets: ["AutoserveAgent"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // 1.11 for LogHandler.log(event:), which the structured log handlers implement.
        .package(url: "https://github.com/apple/swift-log", from: "1.11.0"),
        // Prometheus exposition for the agent's metrics (help texts, labels, unregistering series that
        // vanished); Foundation-free, so MLOpsKit may depend on it.
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // The agent executable only: its service lifecycle.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // The agent's HTTP server (AutoserveServer): NIO's HTTP/1 parser and event loops instead of a
        // parser of our own, for a daemon that listens on every interface. 2.101 for the decoder's
        // header size limits. MLOpsKit itself stays free of NIO.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // MD5, SHA-256 and HMAC-SHA256 compiled in (BoringSSL), replacing a libcrypto loaded at run time
        // whose absence stopped the process; 4.x imports only FoundationEssentials on Linux.
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        // libcurl's headers (libcurl4-openssl-dev). It is not linked: CCurlLoader loads it with dlopen
        // when the first libcurl transport is made, so a program that never sends a request (or embeds
        // MLOpsKit for its models alone) never maps libcurl and the libraries it depends on.
        .systemLibrary(
            name: "CCurl",
            providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]
        ),
        // Loads libcurl at run time and wraps the calls MLOpsKit makes (typed setopt/getinfo included).
        .target(name: "CCurlLoader", dependencies: ["CCurl", "CLibraryLoading"]),
        .target(name: "CLibXML2Loader", dependencies: ["CLibXML2", "CLibraryLoading"]),
        // dlopen and dlsym with failures described, for the two loaders.
        .target(name: "CLibraryLoading"),
        // glibc's malloc arena cap, for the agent.
        .target(name: "CMallocTuning"),
        // libxml2's headers (libxml2-dev). Debian keeps them in /usr/include/libxml2, which the link
        // CLibXML2Loader/include/libxml makes reachable without pkg-config (whose `-lxml2` would link the
        // library into every program). Loaded at run time by CLibXML2Loader on the first XML document.
        .systemLibrary(
            name: "CLibXML2",
            providers: [.apt(["libxml2-dev"]), .brew(["libxml2"])]
        ),
        // CRC-32C with the CPU's CRC instruction, for S3's x-amz-checksum-crc32c.
        .target(name: "CMLOpsKitChecksum"),
        .target(
            name: "MLOpsKit",
            dependencies: [
                "CCurl", "CCurlLoader",
                "CLibXML2", "CLibXML2Loader",
                "CMLOpsKitChecksum",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "MLOpsCLI",
            dependencies: [
                "MLOpsKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The agent's HTTP server on SwiftNIO, serving AutoserveHTTPRoutes (which stay in MLOpsKit as a
        // pure request-to-response layer). A target of its own so that a program importing MLOpsKit for
        // its MLflow client links no server.
        .target(
            name: "AutoserveServer",
            dependencies: [
                "MLOpsKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The autoserve agent: composition only (configuration, HTTP server, services); its logic lives in
        // MLOpsKit and AutoserveServer.
        .executableTarget(
            name: "AutoserveAgent",
            dependencies: [
                "MLOpsKit", "AutoserveServer", "CMallocTuning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            // A long-running process whose resident memory is mostly its own code pages: on Linux,
            // release builds link with lld, pack relative relocations (DT_RELR, glibc 2.36+), export
            // no symbols and fold identical code: about 2 MiB less resident memory. --as-needed drops
            // libraries nothing calls directly (libxml2 is named by its pkg-config; MLOpsKit loads it
            // on first use).
            linkerSettings: [
                .unsafeFlags(
                    [
                        "-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
                        "-Xlinker", "--no-export-dynamic", "-Xlinker", "--icf=all", "-Xlinker", "--as-needed",
                    ],
                    .when(platforms: [.linux], configuration: .release))
            ]
        ),
        // Benchmark driver: the Swift side of scripts/bench.
        .executableTarget(
            name: "MLOpsKitBench",
            dependencies: ["MLOpsKit"],
            path: "Benchmarks/MLOpsKitBench"
        ),
        // What the test targets share: running child processes without blocking a thread, and an
        // `mlflow server` a test starts itself.
        .target(
            name: "MLOpsKitTestSupport",
            dependencies: ["MLOpsKit"],
            path: "Tests/Support"
        ),
        .testTarget(
            name: "MLOpsKitTests",
            dependencies: [
                "MLOpsKit", "MLOpsKitTestSupport", .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .testTarget(
            name: "MLOpsKitIntegrationTests",
            dependencies: ["MLOpsKit", "MLOpsKitTestSupport"]
        ),
        // Unit tests of the CLI's helpers (through @testable import), and end-to-end tests that run
        // the built `mlops` binary.
        .testTarget(
            name: "MLOpsCLITests",
            dependencies: ["MLOpsKit", "MLOpsCLI", "MLOpsKitTestSupport"]
        ),
        // The agent's HTTP server over loopback: limits, timeouts, keep-alive, hostile clients.
        .testTarget(
            name: "AutoserveServerTests",
            dependencies: ["AutoserveServer", "MLOpsKit", "MLOpsKitTestSupport"]
        ),
        // End-to-end tests that run the built `autoserve-agent` binary.
        .testTarget(
            name: "AutoserveAgentTests",
            dependencies: ["MLOpsKit", "MLOpsKitTestSupport"]
        ),
    ]
)

for target in package.targets where target.type != .system && !["CMLOpsKitChecksum", "CCurlLoader", "CLibXML2Loader", "CLibraryLoading", "CMallocTuning"].contains(target.name) {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}
