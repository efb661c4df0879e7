import MLOpsCore
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Starts model servers with `posix_spawn`: in a session (and process group) of their own, so that
/// they outlive the runtime's process (killed or stopped with Ctrl-C in a terminal) and can be
/// signalled as a group; stdin from `/dev/null`, stdout and stderr appended to a log file, every other
/// descriptor closed, default signal dispositions and an empty signal mask.
enum ChildProcessSpawner {
    struct Failure: Error, Sendable {
        var reason: String
    }

    /// Spawns `executable` with `arguments` (the first is `argv[0]`) and `environment`, and returns
    /// its process ID. `executable` must be a path.
    static func spawn(
        executable: String, arguments: [String], environment: [String: String], logPath: String
    ) throws(Failure) -> Int32 {
        let log = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard log >= 0 else { throw Failure(reason: "cannot open its log \(logPath): \(SystemError.text(errno))") }
        defer { close(log) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, log, 1)
        posix_spawn_file_actions_adddup2(&actions, log, 2)
        if let closeFrom = addCloseFrom {
            _ = closeFrom(&actions, 3)
        } else {
            markDescriptorsCloseOnExec()
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGTERM, SIGUSR1, SIGUSR2, SIGCHLD, SIGTSTP, SIGTTIN, SIGTTOU] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | newSessionFlag))

        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, &argv, &envp)
        guard result == 0 else {
            throw Failure(reason: "cannot run \(executable): \(SystemError.text(result))")
        }
        return pid
    }

    #if os(Linux)
        /// glibc's `POSIX_SPAWN_SETSID` (2.26 and later), which the C module does not export.
        private static let newSessionFlag: Int32 = 0x80
    #else
        private static let newSessionFlag: Int32 = POSIX_SPAWN_SETSID
    #endif

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), found at run time because
    /// the C module does not export it.
    private static let addCloseFrom: AddCloseFrom? = {
        #if os(Linux)
            guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "posix_spawn_file_actions_addclosefrom_np") else {
                return nil
            }
            return unsafeBitCast(symbol, to: AddCloseFrom.self)
        #else
            return nil
        #endif
    }()

    /// Without `addclosefrom`: marks every open descriptor above 2 close-on-exec.
    private static func markDescriptorsCloseOnExec() {
        guard let directory = opendir("/proc/self/fd") else { return }
        defer { closedir(directory) }
        let own = dirfd(directory)
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let descriptor = Int32(name), descriptor > 2, descriptor != own else { continue }
            let flags = fcntl(descriptor, F_GETFD)
            if flags >= 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
        }
    }
}
