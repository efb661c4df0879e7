#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where MLOpsKit keeps state of its own when no directory is configured, as the XDG base directory
/// specification places it.
package enum StateDirectory {
    /// `$XDG_STATE_HOME/mlopskit/<name>`, else `$HOME/.local/state/mlopskit/<name>`, else
    /// `.mlopskit-<name>` in the working directory (relative values of either variable are ignored).
    package static func defaultPath(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            return state + "/mlopskit/" + name
        }
        if let home = environment["HOME"], home.hasPrefix("/") {
            return home + "/.local/state/mlopskit/" + name
        }
        return ".mlopskit-" + name
    }
}
