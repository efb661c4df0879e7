import MLOpsCore
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
        /// Field 4: the parent's process ID.
        var parent: Int32
        /// Field 5: the process group.
        var group: Int32
        /// Field 20: how many threads it has left.
        var threads: Int
        /// Field 22: when the process started, in clock ticks after boot.
        var startTicks: UInt64

        var isZombie: Bool { state == UInt8(ascii: "Z") || state == UInt8(ascii: "X") }

        /// Whether the whole process has ended. A leader thread that ended before the others shows `Z`
        /// while they still run (a multi-threaded server shutting down).
        var hasEnded: Bool { isZombie && threads <= 1 }
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
        // fields[0] is field 3 (state); field n is fields[n - 3].
        func number<T: FixedWidthInteger>(_ field: Int, as: T.Type) -> T? { T(String(decoding: fields[field - 3], as: UTF8.self)) }
        guard fields.count > 19, let state = fields[0].first, let parent = number(4, as: Int32.self),
            let group = number(5, as: Int32.self), let threads = number(20, as: Int.self),
            let ticks = number(22, as: UInt64.self)
        else { return nil }
        return Status(state: state, parent: parent, group: group, threads: threads, startTicks: ticks)
    }

    /// Whether the process `pid` that started at `startTicks` still runs: it exists (`kill(pid, 0)`),
    /// its start time matches (a reused process ID is someone else) and it has not ended (a zombie). A
    /// zombie that is this process's child is reaped, and its exit status returned.
    static func observe(_ pid: Int32, startTicks: UInt64) -> Observation {
        guard pid > 0 else { return .exited(exitCode: nil) }
        guard kill(pid, 0) == 0 || errno == EPERM, let status = status(pid), status.startTicks == startTicks else {
            return .exited(exitCode: nil)
        }
        guard status.isZombie else { return .running }
        switch reap(pid) {
        case .reaped(let code): return .exited(exitCode: code)
        case .running: return .running  // its last threads are still ending
        case .notChild: return status.hasEnded ? .exited(exitCode: nil) : .running
        }
    }

    /// What `waitpid(pid, WNOHANG)` said.
    enum Reaping: Sendable, Hashable {
        /// It was this process's child and has ended: its exit code, or 128 + the signal.
        case reaped(Int32)
        /// It is this process's child and still runs.
        case running
        /// It is not (or no longer) this process's child.
        case notChild
    }

    /// Reaps `pid` if it is an ended child of this process.
    static func reap(_ pid: Int32) -> Reaping {
        var status: Int32 = 0
        var result: Int32
        repeat {
            result = waitpid(pid, &status, WNOHANG)
        } while result < 0 && errno == EINTR
        if result == pid { return .reaped(exitCode(fromWaitStatus: status)) }
        return result == 0 ? .running : .notChild
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

    /// Whether a process that is not a zombie is left in the group `group`. Zombies do not count: an
    /// orphan's zombie waits for whichever process adopted it (`init`, a subreaper) to reap it, which
    /// some container init processes do late or never.
    static func groupIsAlive(_ group: Int32) -> Bool {
        guard signalGroup(group, 0) else { return false }
        return !members(ofGroup: group).allSatisfy { $0.status.hasEnded }
    }

    /// The processes of the group `group`, from `/proc`.
    static func members(ofGroup group: Int32) -> [(pid: Int32, status: Status)] {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var result: [(pid: Int32, status: Status)] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let pid = Int32(name), let status = status(pid), status.group == group else { continue }
            result.append((pid, status))
        }
        return result
    }

    /// `pid (state, parent)` for each process of the group, for error messages.
    static func describeGroup(_ group: Int32) -> String {
        members(ofGroup: group).map { "\($0.pid) (\(Character(Unicode.Scalar($0.status.state))), parent \($0.status.parent))" }
            .joined(separator: ", ")
    }
}
