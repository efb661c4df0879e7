import MLOpsCore
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The end of a log file, read backwards in blocks so that a long log costs only what is asked for.
enum LogFileTail {
    /// The last `lines` lines of the file at `path` (all of it when `nil`); empty when there is no file.
    static func read(_ path: String, lines: Int?) -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return "" }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return "" }
        let size = Int(info.st_size)
        guard size > 0 else { return "" }
        if let lines, lines <= 0 { return "" }

        let blockSize = 64 * 1024
        var end = size
        var chunks: [[UInt8]] = []
        var newlines = 0
        search: while end > 0 {
            let begin = max(0, end - blockSize)
            var block = [UInt8](repeating: 0, count: end - begin)
            let count = block.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(begin)) }
            guard count == end - begin else { return "" }
            if let lines {
                for index in stride(from: block.count - 1, through: 0, by: -1) where block[index] == UInt8(ascii: "\n") {
                    // The file's final newline ends the last line; it does not start another.
                    if begin + index == size - 1 { continue }
                    newlines += 1
                    if newlines == lines {
                        chunks.append(Array(block[(index + 1)...]))
                        break search
                    }
                }
            }
            chunks.append(block)
            end = begin
        }
        return String(decoding: chunks.reversed().joined(), as: UTF8.self)
    }
}
