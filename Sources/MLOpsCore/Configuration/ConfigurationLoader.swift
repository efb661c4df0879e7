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

/// Builds an ``MLOpsConfiguration`` from layers of rising priority:
///
/// 1. each key's built-in default (``ConfigurationKey/defaultValue``);
/// 2. a `.env` file (``DotEnvFile``);
/// 3. the process environment;
/// 4. flags, such as the `mlops` command-line options.
///
/// Each value remembers its layer (``ConfigurationValue/source``). An empty value counts as unset in every
/// layer, so `AWS_SESSION_TOKEN=` in a `.env` file or `export MLFLOW_TRACKING_URI=` does not hide a value
/// from a lower layer (compose files often pass `${NAME}` through, which is empty when unset).
///
/// ```swift
/// let configuration = try ConfigurationLoader.load()
/// let client = MLflowClient(
///     configuration: .init(trackingURI: configuration.trackingURI, requestTimeout: configuration.httpTimeout),
///     transport: transport
/// )
/// ```
public enum ConfigurationLoader {
    /// The file read when no `.env` path is given, if it exists in the current directory.
    public static let defaultDotEnvFileName = ".env"

    /// Reads the `.env` file, layers it with `environment` and `flags`, and converts the result.
    ///
    /// - Parameters:
    ///   - environment: The process environment. It is also where the file's `${NAME}` references look first.
    ///   - dotEnvPath: The `.env` file to read. `nil` reads `.env` in the current directory if there is one
    ///     (reported by its absolute path); a path that does not exist is an error.
    ///   - flags: Values from the top layer, by variable name (`["MLFLOW_TRACKING_URI": "http://…"]`).
    ///   - flagNames: How each flag in `flags` is spelled for people, by variable name
    ///     (`["MLFLOW_TRACKING_URI": "--tracking-uri"]`), for ``ConfigurationSource/flag(name:)``.
    ///     A flag without a spelling is reported by its variable name.
    /// - Throws: ``ConfigurationError`` for a missing `.env` file or a value that does not convert,
    ///   ``DotEnvError`` for a `.env` file that cannot be read or parsed.
    public static func load(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        dotEnvPath: String? = nil,
        flags: [String: String] = [:],
        flagNames: [String: String] = [:]
    ) throws -> MLOpsConfiguration {
        let resolved = try resolve(
            environment: environment, dotEnvPath: dotEnvPath, flags: flags, flagNames: flagNames)
        return try MLOpsConfiguration(resolved: resolved)
    }

    /// Layers an already parsed `.env` file (or none) with `environment` and `flags`, and converts the
    /// result. Touches no file.
    ///
    /// - Throws: ``ConfigurationError`` for a value that does not convert.
    public static func load(
        environment: [String: String],
        dotEnv: DotEnvFile?,
        flags: [String: String] = [:],
        flagNames: [String: String] = [:]
    ) throws(ConfigurationError) -> MLOpsConfiguration {
        let resolved = resolve(environment: environment, dotEnv: dotEnv, flags: flags, flagNames: flagNames)
        return try MLOpsConfiguration(resolved: resolved)
    }

    /// Reads the `.env` file and layers it with `environment` and `flags`, without converting anything.
    ///
    /// Parameters as in ``load(environment:dotEnvPath:flags:flagNames:)``; `keys` are the keys to resolve.
    ///
    /// - Throws: ``ConfigurationError/Code/dotEnvFileNotFound`` for a missing explicit `.env` file,
    ///   ``DotEnvError`` for one that cannot be read or parsed.
    public static func resolve(
        keys: [ConfigurationKey] = ConfigurationKey.all,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        dotEnvPath: String? = nil,
        flags: [String: String] = [:],
        flagNames: [String: String] = [:]
    ) throws -> ResolvedConfiguration {
        let dotEnv = try readDotEnv(at: dotEnvPath, environment: environment)
        return resolve(keys: keys, environment: environment, dotEnv: dotEnv, flags: flags, flagNames: flagNames)
    }

    /// Layers defaults, `dotEnv`, `environment` and `flags` for `keys`. Touches no file.
    ///
    /// Entries of `environment`, `dotEnv` and `flags` that are not among `keys` are ignored.
    public static func resolve(
        keys: [ConfigurationKey] = ConfigurationKey.all,
        environment: [String: String],
        dotEnv: DotEnvFile?,
        flags: [String: String] = [:],
        flagNames: [String: String] = [:]
    ) -> ResolvedConfiguration {
        var values: [String: ConfigurationValue] = [:]
        for key in keys {
            let layers: [(String?, ConfigurationSource)] = [
                (flags[key.name], .flag(name: flagNames[key.name] ?? key.name)),
                (environment[key.name], .environment),
                (dotEnv?[key.name], .dotEnv(path: dotEnv?.path ?? defaultDotEnvFileName)),
                (key.defaultValue, .default),
            ]
            for case (let value?, let source) in layers where !value.isEmpty {
                values[key.name] = ConfigurationValue(key: key, value: value, source: source)
                break
            }
        }
        return ResolvedConfiguration(keys: keys, values: values)
    }

    /// The `.env` file at `path`, or at ``defaultDotEnvFileName`` if `path` is `nil` and it exists.
    private static func readDotEnv(at path: String?, environment: [String: String]) throws -> DotEnvFile? {
        guard let path else {
            let fileManager = FileManager.default
            let implicitPath = URL(fileURLWithPath: fileManager.currentDirectoryPath)
                .appendingPathComponent(defaultDotEnvFileName).path
            var status = stat()
            guard stat(implicitPath, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
            return try DotEnvFile(contentsOfFile: implicitPath, environment: environment)
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigurationError(
                code: .dotEnvFileNotFound, key: nil, displayValue: path, source: nil)
        }
        return try DotEnvFile(contentsOfFile: path, environment: environment)
    }
}
