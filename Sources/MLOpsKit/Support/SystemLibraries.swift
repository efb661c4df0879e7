internal import CCurlLoader
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

    /// Loads the library if that has not happened yet; `nil` when it is usable, otherwise why not.
    func load() -> String? {
        switch self {
        case .libcurl: mlopskit_curl_load().map { String(cString: $0) }
        case .libxml2: mlopskit_xml_load().map { String(cString: $0) }
        }
    }

    /// Loads each of `libraries` now, so that a long-running process reports a missing one at start-up
    /// instead of failing its first request. Throws for the first that cannot be loaded.
    public static func requireLoadable(_ libraries: [SystemLibrary] = allCases) throws(SystemLibraryError) {
        for library in libraries {
            if let reason = library.load() { throw SystemLibraryError(library: library, reason: reason) }
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
