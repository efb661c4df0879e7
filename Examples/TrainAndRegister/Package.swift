// swift-tools-version: 6.1

// An application that uses MLOpsKit as a library, the way any Swift program would: through a package
// dependency and the `MLOpsKit` product (train-and-register), or one piece of it, the `MLOpsMLflow`
// product (log-run). Here the dependency is the checkout two folders up; elsewhere
// it is `.package(url: "<repository URL>", from: "<version>")`.

import PackageDescription

let package = Package(
    name: "TrainAndRegister",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "train-and-register", targets: ["TrainAndRegister"]),
        .executable(name: "log-run", targets: ["LogRun"]),
    ],
    dependencies: [
        .package(name: "MLOpsKit", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "TrainAndRegister",
            dependencies: [.product(name: "MLOpsKit", package: "MLOpsKit")]
        ),
        // Tracking only: the MLflow client and what it needs, without serving, Airflow, the agent or
        // swift-prometheus. scripts/example checks that building it compiles and links no Prometheus.
        .executableTarget(
            name: "LogRun",
            dependencies: [.product(name: "MLOpsMLflow", package: "MLOpsKit")]
        ),
    ]
)
