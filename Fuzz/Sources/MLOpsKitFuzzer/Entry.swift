// The libFuzzer entry point. MLOPSKIT_FUZZ_TARGET names the target a run exercises (see
// FuzzTargets.all); a property violation is turned into a crash, so libFuzzer saves the input.

import Foundation

private let selectedTarget: FuzzTargets.Body = {
    let name = ProcessInfo.processInfo.environment["MLOPSKIT_FUZZ_TARGET"] ?? ""
    guard let body = FuzzTargets.body(named: name) else {
        let names = FuzzTargets.all.map(\.name).joined(separator: " ")
        FileHandle.standardError.write(Data("MLOPSKIT_FUZZ_TARGET must be one of: \(names)\n".utf8))
        exit(2)
    }
    return body
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    do {
        try selectedTarget(data)
    } catch {
        fatalError("fuzz property violated: \(error)")
    }
    return 0
}
