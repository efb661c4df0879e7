import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Supplies a model version's files for an image built around them (``DockerServingConfiguration/Mode/perVersionImage(baseImage:)``).
///
/// The reconciler downloads the version's artifacts (`models:/<model>/<version>`: the `MLmodel` file
/// and everything it names) into a local directory and hands that over; the runtime only reads it.
public protocol ModelFilesProvider: Sendable {
    /// A local directory holding the files of `spec`'s model version, with `MLmodel` at its top.
    func modelDirectory(for spec: ServingSpec) async throws -> URL
}

/// A ``ModelFilesProvider`` made of a closure.
public struct ModelDirectoryProvider: ModelFilesProvider {
    private let body: @Sendable (ServingSpec) async throws -> URL

    public init(_ body: @escaping @Sendable (ServingSpec) async throws -> URL) {
        self.body = body
    }

    public func modelDirectory(for spec: ServingSpec) async throws -> URL {
        try await body(spec)
    }
}
