import MLOpsCore

/// Checks and joins artifact paths: relative, `/`-separated, never leaving the root.
enum ArtifactPath {
    /// `path` normalised (empty and `.` segments dropped) or an error when it is absolute or has `..`.
    static func normalised(_ path: String) throws(ArtifactError) -> String {
        if path.hasPrefix("/") {
            throw ArtifactError(code: .invalidPath, detail: "'\(path)' is absolute; artifact paths are relative to the run")
        }
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) where segment != "." {
            if segment == ".." {
                throw ArtifactError(code: .invalidPath, detail: "'\(path)' leaves the artifact root")
            }
            if segment.utf8.contains(0) {
                throw ArtifactError(code: .invalidPath, detail: "'\(path)' contains a NUL byte")
            }
            segments.append(segment)
        }
        return segments.joined(separator: "/")
    }

    /// `base/child` for normalised parts, either of which may be empty.
    static func join(_ base: String, _ child: String) -> String {
        if base.isEmpty { return child }
        if child.isEmpty { return base }
        return base + "/" + child
    }

    /// Each segment percent-encoded for a URL path (RFC 3986 unreserved characters kept).
    static func percentEncoded(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false)
            .map { PercentEncoding.encode(String($0)) }
            .joined(separator: "/")
    }
}
