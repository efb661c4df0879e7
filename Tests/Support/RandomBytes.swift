import Foundation

/// `count` random bytes from the kernel (`/dev/urandom`): test payloads that no compression or
/// deduplication can shortcut, made in milliseconds even in a debug build, so a test preparing a large
/// file does not hold a cooperative thread for seconds.
public func randomBytes(_ count: Int) -> Data {
    guard count > 0 else { return Data() }
    guard let source = FileHandle(forReadingAtPath: "/dev/urandom") else {
        fatalError("cannot open /dev/urandom")
    }
    defer { try? source.close() }
    var data = Data()
    while data.count < count {
        guard let chunk = try? source.read(upToCount: count - data.count), !chunk.isEmpty else {
            fatalError("cannot read /dev/urandom")
        }
        data.append(chunk)
    }
    return data
}
