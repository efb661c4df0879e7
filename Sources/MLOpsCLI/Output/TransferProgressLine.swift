#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import MLOpsKit

/// A one-line progress display on standard error, drawn only when standard error is a terminal.
struct TransferProgressLine: Sendable {
    let isEnabled: Bool

    init(enabled: Bool = true) {
        isEnabled = enabled && isatty(STDERR_FILENO) == 1
    }

    /// The callback to hand a transfer, or `nil` when nothing is drawn.
    var callback: (@Sendable (ArtifactTransferProgress) -> Void)? {
        guard isEnabled else { return nil }
        return { [self] progress in
            draw(
                filesDone: progress.filesDone, filesTotal: progress.filesTotal, bytesDone: progress.bytesDone,
                bytesTotal: progress.bytesTotal)
        }
    }

    /// Redraws the line with these counts (nothing when disabled).
    func draw(filesDone: Int, filesTotal: Int, bytesDone: Int64, bytesTotal: Int64) {
        guard isEnabled else { return }
        let line = "\r\(filesDone)/\(filesTotal) files, \(Self.size(bytesDone)) of \(Self.size(bytesTotal))"
        StandardStream.write(line + "\u{1B}[K", to: StandardStream.standardError)
    }

    /// Ends the line.
    func finish() {
        if isEnabled { StandardStream.write("\n", to: StandardStream.standardError) }
    }

    static func size(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }
}
