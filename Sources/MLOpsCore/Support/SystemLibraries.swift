internal import CLibXML2Loader

/// A C library MLOpsKit loads at run time rather than links: libcurl for HTTP, libxml2 for S3's XML.
public enum SystemLibrary: String, Sendable, CaseIterable, CustomStringConvertible {
    case libcurl
    case libxml2

    /// The Debian and Ubuntu package that installs it.
    public var debianPackage: String {
        switch self {
        case .libcurl: "libcurl4"
        case .libxml2: "libxml2"
        }
    }

    public var description: String { rawValue }

    /// `nil` when the library is usable, otherwise why not. libcurl, which every request needs, is loaded
    /// and kept; libxml2 is opened and closed again, since only S3 answers need it (it maps about 1.4 MiB
    /// with the ICU library it depends on).
    func check() -> String? {
        switch self {
        case .libcurl: CurlGlobal.load()
        case .libxml2: mlopskit_xml_probe().map { String(cString: $0) }
        }
    }

    /// Checks each of `libraries` now, so that a long-running process reports a missing one at start-up
    /// instead of failing its first request that needs it. Throws for the first that cannot be loaded.
    public static func requireLoadable(_ libraries: [SystemLibrary] = allCases) throws(SystemLibraryError) {
        for library in libraries {
            if let reason = library.check() { throw SystemLibraryError(library: library, reason: reason) }
        }
    }
}

/// A system library could not be loaded: which, why, and what to install.
public struct SystemLibraryError: Error, Sendable, Equatable, CustomStringConvertible {
    public var library: SystemLibrary
    /// The dynamic loader's words.
    public var reason: String

    public init(library: SystemLibrary, reason: String) {
        self.library = library
        self.reason = reason
    }

    public var description: String {
        "\(library) cannot be loaded (\(reason)); install it (Debian and Ubuntu: apt-get install \(library.debianPackage))"
    }
}
