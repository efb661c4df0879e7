#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a directory that must be private to this user (such as the model file cache) cannot be used.
public enum PrivateDirectoryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// It could not be created, or looked at.
    case cannotCreate(path: String, reason: String)
    /// Something other than a directory is there (a symbolic link included).
    case notADirectory(path: String)
    /// Another user owns it.
    case ownedByAnotherUser(path: String, owner: UInt32, user: UInt32)
    /// Its group or other users may write in it (`mode` is its permission bits).
    case writableByOthers(path: String, mode: UInt32)

    public var description: String {
        switch self {
        case .cannotCreate(let path, let reason):
            "cannot create the private directory \(path): \(reason)"
        case .notADirectory(let path):
            "\(path) must be a directory of its own, not a file or a symbolic link"
        case .ownedByAnotherUser(let path, let owner, let user):
            "\(path) is owned by user \(owner), not by this process's user \(user); remove it or choose another directory"
        case .writableByOthers(let path, let mode):
            "\(path) is writable by its group or by others (mode \(String(mode, radix: 8))); "
                + "run chmod go-w on it (0700 is what MLOpsKit creates)"
        }
    }
}

/// A directory only this user may write in: created with mode 0700 (its missing parents too), or, when
/// it exists, checked to be a real directory owned by this user that neither its group nor others
/// may write in. Files kept there (downloaded model files an image or a server is built from) cannot
/// be swapped by another user of the machine, as they could in a world-writable `/tmp`.
package enum PrivateDirectory {
    /// Creates `path` or checks it.
    ///
    /// - Throws: ``PrivateDirectoryError`` naming the path and the problem.
    package static func prepare(_ path: String) throws(PrivateDirectoryError) {
        var status = stat()
        if lstat(path, &status) != 0 {
            guard errno == ENOENT else { throw .cannotCreate(path: path, reason: SystemError.text(errno)) }
            do {
                try FileManager.default.createDirectory(
                    atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw .cannotCreate(path: path, reason: "\(error)")
            }
            guard lstat(path, &status) == 0 else { throw .cannotCreate(path: path, reason: SystemError.text(errno)) }
        }
        guard (status.st_mode & S_IFMT) == S_IFDIR else { throw .notADirectory(path: path) }
        let user = geteuid()
        guard status.st_uid == user else {
            throw .ownedByAnotherUser(path: path, owner: UInt32(status.st_uid), user: UInt32(user))
        }
        guard status.st_mode & (S_IWGRP | S_IWOTH) == 0 else {
            throw .writableByOthers(path: path, mode: UInt32(status.st_mode & 0o7777))
        }
    }
}
