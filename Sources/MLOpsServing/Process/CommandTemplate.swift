import MLOpsCore
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The model server's command line: placeholders filled in, the executable found.
enum CommandTemplate {
    /// `template` with every `{name}` of `values` replaced in every argument, in one pass (a value that
    /// holds a placeholder is not expanded again); unknown placeholders stay as they are.
    static func render(_ template: [String], values: [String: String]) -> [String] {
        template.map { argument in
            var result = ""
            var rest = Substring(argument)
            while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
                result += rest[..<open]
                let name = String(rest[rest.index(after: open)..<close])
                if let value = values[name] {
                    result += value
                } else {
                    result += rest[open...close]
                }
                rest = rest[rest.index(after: close)...]
            }
            return result + rest
        }
    }

    /// The path of `executable`: itself when it holds a `/` and can be run, else the first runnable
    /// regular file of that name in `searchPath`; `nil` when there is none.
    static func resolve(_ executable: String, searchPath: [String]) -> String? {
        if executable.contains("/") {
            return isRunnable(executable) ? executable : nil
        }
        guard !executable.isEmpty else { return nil }
        for directory in searchPath where !directory.isEmpty {
            let candidate = directory.hasSuffix("/") ? directory + executable : directory + "/" + executable
            if isRunnable(candidate) { return candidate }
        }
        return nil
    }

    private static func isRunnable(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        return access(path, X_OK) == 0
    }
}
