#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the kernel says about processes: `/proc/<pid>/stat`, signals, and reaping.
enum ProcessTable {
    /// The fields of `/proc/<pid>/stat` the runtime uses.
    struct Status: Sendable, Hashable {
        /// Field 3: `R`, `S`, `D`, `Z` (zombie), `X` (dead), …
        var state: UInt8
        /// Field 22: when the process started, in clock ticks after boot.
        var startTicks: UInt64

        var isZombie: Bool { state == UInt8(ascii: "Z") || state == UInt8(ascii: "X") }
    }

    /// What became of a process the runtime started.
    enum Observation: Sendable, Hashable {
        case running
        /// It exited; `exitCode` when this process reaped it (the exit code, or 128 + the signal).
        case exited(exitCode: Int32?)
    }

    /// `/proc/<pid>/stat`, or `nil` when there is no such process.
    static func status(_ pid: Int32) -> Status? {
        guard pid > 0, let bytes = SystemFile.read("/proc/\(pid)/stat", limit: 4096) else { return nil }
        return parseStat(bytes)
    }

    /// Parses a `stat` line. The command name (field 2) is in parentheses and may itself hold spaces
    /// and parentheses, so the fields after it are counted from the last `)`.
    static func parseStat(_ bytes: [UInt8]) -> Status? {
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
        // fields[0] is field 3 (state); field 22 is fields[19].
        guard fields.count > 19, let state = fields[0].first,
            let ticks = UInt64(String(decoding: fields[19], as: UTF8.self))
        else { return nil }
        return Status(state: state, startTicks: ticks)
    }

    /// Whether the process `pid` that started at `startTicks` still runs: it exists (`kill(pid, 0)`),
    /// its start time matches (a reused process ID is someone else) and it is not a zombie. A zombie
    /// that is this process's child is reaped, and its exit status returned.
    static func observe(_ pid: Int32, startTicks: UInt64) -> Observation {
        guard pid > 0 else { return .exited(exitCode: nil) }
        guard kill(pid, 0) == 0 || errno == EPERM, let status = status(pid), status.startTicks == startTicks else {
            return .exited(exitCode: nil)
        }
        guard status.isZombie else { return .running }
        return .exited(exitCode: reap(pid))
    }

    /// Reaps `pid` if it is an exited child of this process: its exit code (128 + the signal when a
    /// signal ended it), or `nil` (still running, or not our child).
    static func reap(_ pid: Int32) -> Int32? {
        var status: Int32 = 0
        var result: Int32
        repeat {
            result = waitpid(pid, &status, WNOHANG)
        } while result < 0 && errno == EINTR
        guard result == pid else { return nil }
        return exitCode(fromWaitStatus: status)
    }

    /// The exit code in a `waitpid` status, or 128 + the signal that ended the process (the shell's and
    /// Docker's convention: 137 after SIGKILL, 143 after SIGTERM).
    static func exitCode(fromWaitStatus status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Sends `signal` to every process of the group `group`; `false` when the group has no process left.
    @discardableResult
    static func signalGroup(_ group: Int32, _ signal: Int32) -> Bool {
        guard group > 1 else { return false }
        return kill(-group, signal) == 0 || errno == EPERM
    }

    /// Whether any process (zombies included) is left in the group `group`.
    static func groupExists(_ group: Int32) -> Bool {
        signalGroup(group, 0)
    }
}
