import MLOpsCore
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Credentials from a profile of the AWS shared credentials file, as the AWS CLI and SDKs read it.
///
/// The file is `AWS_SHARED_CREDENTIALS_FILE` (a leading `~/` means `HOME`), or `~/.aws/credentials`; the
/// profile is the one named, or `AWS_PROFILE`, or `default`. The file is read each time credentials are
/// asked for, so edits are picked up.
///
/// A missing file, or a missing `default` profile, is ``CredentialError/Code/notFound`` (a chain moves on).
/// A profile asked for by name that is not there is ``CredentialError/Code/profileNotFound``; a profile with
/// only one of `aws_access_key_id` and `aws_secret_access_key` is ``CredentialError/Code/incomplete``; a
/// line that does not parse is ``CredentialError/Code/malformedFile`` with its line number. None of these
/// errors repeats a value from the file.
public struct SharedCredentialsFileProvider: CredentialProvider {
    /// `AWS_SHARED_CREDENTIALS_FILE`.
    public static let fileVariable = "AWS_SHARED_CREDENTIALS_FILE"
    /// `AWS_PROFILE`.
    public static let profileVariable = "AWS_PROFILE"
    /// The profile used when none is named.
    public static let defaultProfile = "default"

    /// The file read, or `nil` when neither `AWS_SHARED_CREDENTIALS_FILE` nor `HOME` is set.
    public let path: String?
    /// The profile read.
    public let profile: String
    /// Whether the profile was named (by argument or `AWS_PROFILE`) rather than defaulted: a named profile
    /// that is missing is an error, a missing `default` just means no credentials here.
    private let profileIsExplicit: Bool

    /// A provider locating the file and profile the way the AWS CLI does, from `environment`.
    ///
    /// - Parameters:
    ///   - environment: Where `AWS_SHARED_CREDENTIALS_FILE`, `AWS_PROFILE` and `HOME` are read.
    ///   - profile: The profile to read; by default `AWS_PROFILE`, or `default`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, profile: String? = nil) {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let home = value("HOME")
        if let file = value(Self.fileVariable) {
            if file == "~" || file.hasPrefix("~/"), let home {
                path = home + file.dropFirst()
            } else {
                path = file
            }
        } else {
            path = home.map { ($0.hasSuffix("/") ? String($0.dropLast()) : $0) + "/.aws/credentials" }
        }
        let named = profile ?? value(Self.profileVariable)
        self.profile = named ?? Self.defaultProfile
        profileIsExplicit = named != nil
    }

    /// A provider reading `profile` from the file at `path`.
    public init(path: String, profile: String = SharedCredentialsFileProvider.defaultProfile) {
        self.path = path
        self.profile = profile
        profileIsExplicit = profile != Self.defaultProfile
    }

    /// The profile's credentials, read from the file now.
    ///
    /// - Throws: ``CredentialError`` (see the type's discussion for which code when).
    public func credentials() async throws -> AWSCredentials {
        try load()
    }

    private var sourceName: String { "shared credentials file \(path ?? "~/.aws/credentials")" }

    /// Reads the file and returns the profile's credentials.
    func load() throws(CredentialError) -> AWSCredentials {
        guard let path else {
            throw .notFound(source: sourceName, reason: "HOME and \(Self.fileVariable) not set")
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw .notFound(source: sourceName, reason: "no such file")
        }
        let text: String
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard let decoded = String(validating: data, as: UTF8.self) else {
                throw CredentialError(code: .unreadableFile, source: sourceName, path: path, detail: "not UTF-8")
            }
            text = decoded
        } catch let error as CredentialError {
            throw error
        } catch {
            throw CredentialError(code: .unreadableFile, source: sourceName, path: path, detail: "not readable")
        }
        return try credentials(in: SharedCredentialsFile(parsing: text, path: path), path: path)
    }

    /// The profile's credentials from a parsed file.
    func credentials(in file: SharedCredentialsFile, path: String) throws(CredentialError) -> AWSCredentials {
        guard let section = file.profiles[profile] else {
            guard profileIsExplicit else {
                throw .notFound(source: sourceName, reason: "no [\(profile)] profile")
            }
            let available = file.profileNames.isEmpty ? "none" : file.profileNames.joined(separator: ", ")
            throw CredentialError(
                code: .profileNotFound, source: sourceName, path: path, profile: profile,
                detail: "profiles in the file: \(available)")
        }
        func value(_ key: String) -> String? { section.properties[key].flatMap { $0.isEmpty ? nil : $0 } }
        let accessKeyID = value("aws_access_key_id")
        let secretAccessKey = value("aws_secret_access_key")
        let sessionToken = value("aws_session_token") ?? value("aws_security_token")
        switch (accessKeyID, secretAccessKey) {
        case (let key?, let secret?):
            return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: sessionToken)
        case (nil, nil) where !profileIsExplicit:
            throw .notFound(source: sourceName, reason: "[\(profile)] has no aws_access_key_id")
        default:
            let missing = [("aws_access_key_id", accessKeyID), ("aws_secret_access_key", secretAccessKey)]
                .filter { $0.1 == nil }.map(\.0).joined(separator: " and ")
            throw CredentialError(
                code: .incomplete, source: sourceName, path: path, line: section.line, profile: profile,
                detail: "missing \(missing) (only static access keys are supported)")
        }
    }

    /// `shared credentials file /home/me/.aws/credentials [default]`.
    public var description: String { "\(sourceName) [\(profile)]" }
}
