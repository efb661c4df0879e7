import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsServing

@Suite("System libraries loaded at run time")
struct SystemLibraryTests {
    @Test("libcurl and libxml2 load here, and a check of both at start-up passes")
    func bothLoad() throws {
        for library in SystemLibrary.allCases {
            #expect(library.check() == nil, "\(library)")
        }
        try SystemLibrary.requireLoadable()
    }

    @Test("the error names the library, the loader's reason and the package to install")
    func errorNamesThePackage() {
        let error = SystemLibraryError(library: .libxml2, reason: "libxml2.so.2: cannot open shared object file")
        #expect(error.description == "libxml2 cannot be loaded (libxml2.so.2: cannot open shared object file); install it (Debian and Ubuntu: apt-get install libxml2)")
        #expect(SystemLibraryError(library: .libcurl, reason: "x").description.hasSuffix("apt-get install libcurl4)"))
    }
}
