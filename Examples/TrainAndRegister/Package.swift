// swift-tools-version: 6.1

// An application that uses MLOpsKit as a library, the way any Swift program would: through a package
// dependency and the `MLOpsKit` product. Here the dependency is the checkout two folders up; elsewhere
// it is `.package(url: "<repository URL>", from: "<version>")`.

import PackageDescription

let package = Package(
    name: "TrainAndRegister",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "train-and-register", targets: ["TrainAndRegister"]),
    ],
    dependencies: [
        .package(name: "MLOpsKit", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "TrainAndRegister",
            dependencies: [.product(name: "MLOpsKit", package: "MLOpsKit")]
        ),
    ]
)
