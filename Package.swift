// swift-tools-version: 6.1

import PackageDescription

let package = Package(
    name: "MLOpsKit",
    platforms: [.macOS(.v15)],
    products: [
        // Everything, as one module: `import MLOpsKit`.
        .library(name: "MLOpsKit", targets: ["MLOpsKit"]),
        // The pieces, for a program that needs only some of them (and not, say, the agent's metrics).
        .library(name: "MLOpsCore", targets: ["MLOpsCore"]),
        .library(name: "MLOpsS3", targets: ["MLOpsS3"]),
        .library(name: "MLOpsMLflow", targets: ["MLOpsMLflow"]),
        .library(name: "MLOpsOrchestration", targets: ["MLOpsOrchestration"]),
        .library(name: "MLOpsServing", targets: ["MLOpsServing"]),
        .library(name: "MLOpsAutoserve", targets: ["MLOpsAutoserve"]),
        .executable(name: "mlops", targets: ["MLOpsCLI"]),
        .executable(name: "autoserve-agent", targets: ["AutoserveAgent"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // 1.11 for LogHandler.log(event:), which the structured log handlers implement.
        .package(url: "https://github.com/apple/swift-log", from: "1.11.0"),
        // Prometheus exposition for the agent's metrics (help texts, labels, unregistering series that
        // vanished); Foundation-free, so the library may depend on it. Only MLOpsAutoserve does.
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // The agent executable only: its service lifecycle.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // The agent's HTTP server (AutoserveServer): NIO's HTTP/1 parser and event loops instead of a
        // parser of our own, for a daemon that listens on every interface. 2.101 for the decoder's
        // header size limits. The library targets stay free of NIO.
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
        // Transport (HTTP over libcurl, retries, redaction), configuration (keys, .env, loader,
        // MLOpsConfiguration), logging, digests, directories and the system-library checks.
        .target(
            name: "MLOpsCore",
            dependencies: [
                "CCurl", "CCurlLoader",
                // SystemLibrary.requireLoadable probes libxml2 as well as libcurl.
                "CLibXML2Loader",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The S3 client: requests signed with SigV4, XML answers read with libxml2, credentials.
        .target(
            name: "MLOpsS3",
            dependencies: [
                "MLOpsCore", "CLibXML2", "CLibXML2Loader", "CMLOpsKitChecksum",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The MLflow client (tracking, registry, webhooks), batched run logging, aliases and the
        // artifact stores (MLflow's proxy, S3, a local directory).
        .target(
            name: "MLOpsMLflow",
            dependencies: ["MLOpsCore", "MLOpsS3", .product(name: "Logging", package: "swift-log")]
        ),
        // The Airflow client.
        .target(
            name: "MLOpsOrchestration",
            dependencies: ["MLOpsCore", .product(name: "Logging", package: "swift-log")]
        ),
        // Serving runtimes (Docker Engine, local processes), the model server client, webhook checks.
        .target(
            name: "MLOpsServing",
            dependencies: ["MLOpsCore", "MLOpsMLflow", .product(name: "Logging", package: "swift-log")]
        ),
        // Autoserve: the reconciler and planner, the agent's settings, HTTP routes and metrics, and the
        // agent's client.
        .target(
            name: "MLOpsAutoserve",
            dependencies: [
                "MLOpsCore", "MLOpsS3", "MLOpsMLflow", "MLOpsServing",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The umbrella: re-exports every module above, plus health checks and bootstrap.
        .target(
            name: "MLOpsKit",
            dependencies: [
                "MLOpsCore", "MLOpsS3", "MLOpsMLflow", "MLOpsOrchestration", "MLOpsServing", "MLOpsAutoserve",
                .product(name: "Logging", package: "swift-log"),
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
        // The agent's HTTP server on SwiftNIO, serving AutoserveHTTPRoutes (which stay in MLOpsAutoserve as
        // a pure request-to-response layer). A target of its own so that a program importing MLOpsKit for
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
        // The library's unit tests; they reach into each module with @testable import.
        .testTarget(
            name: "MLOpsKitTests",
            dependencies: [
                "MLOpsKit", "MLOpsCore", "MLOpsS3", "MLOpsMLflow", "MLOpsOrchestration", "MLOpsServing", "MLOpsAutoserve",
                "MLOpsKitTestSupport", .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .testTarget(
            name: "MLOpsKitIntegrationTests",
            dependencies: [
                "MLOpsKit", "MLOpsCore", "MLOpsS3", "MLOpsMLflow", "MLOpsOrchestration", "MLOpsServing", "MLOpsAutoserve",
                "AutoserveServer", "MLOpsKitTestSupport",
            ]
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
            dependencies: [
                "MLOpsKit", "MLOpsCore", "MLOpsS3", "MLOpsMLflow", "MLOpsOrchestration", "MLOpsServing", "MLOpsAutoserve",
                "MLOpsKitTestSupport",
            ]
        ),
    ]
)

for target in package.targets where target.type != .system && !["CMLOpsKitChecksum", "CCurlLoader", "CLibXML2Loader", "CLibraryLoading", "CMallocTuning"].contains(target.name) {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}
