import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// A temporary directory for credentials files, removed when the value is released.
final class CredentialsSandbox {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mlopskit-credentials-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Writes `text` to `name` (creating folders) and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, Data(text.utf8))
    }

    @discardableResult
    func write(_ name: String, _ data: Data) throws -> String {
        let url = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
        return url.path
    }

    var home: String { directory.path }
}

/// What `body` threw, as a ``CredentialError``.
func credentialError(_ body: () async throws -> AWSCredentials) async -> CredentialError? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error as? CredentialError
    }
}

@Suite("Credentials: values never show secrets")
struct AWSCredentialsTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    static let token = "FwoGZXIvYXdzEXAMPLETOKEN//+=="

    @Test func descriptionsMaskTheSecretAndToken() {
        let credentials = AWSCredentials(
            accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: Self.secret, sessionToken: Self.token)
        var dumped = ""
        dump(credentials, to: &dumped)
        let texts = [
            "\(credentials)", String(describing: credentials), String(reflecting: credentials), dumped,
            "\([credentials])", "\(Optional(credentials) as Any)",
            "\(Mirror(reflecting: credentials).children.map { "\($0.label ?? ""): \($0.value)" })",
        ]
        for text in texts {
            #expect(!text.contains(Self.secret), "\(text)")
            #expect(!text.contains(Self.token), "\(text)")
            #expect(!text.contains("AKIAIOSFODNN7EXAMPLE"), "\(text)")
        }
        #expect(
            credentials.description
                == "AWSCredentials(accessKeyID: ***MPLE, secretAccessKey: ***, sessionToken: ***)")
        #expect(
            AWSCredentials(accessKeyID: "short", secretAccessKey: "s").description
                == "AWSCredentials(accessKeyID: ***, secretAccessKey: ***, sessionToken: nil)")
    }

    @Test func providersDescribeThemselvesWithoutSecrets() async throws {
        let environment = [
            "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": Self.secret,
            "AWS_SESSION_TOKEN": Self.token, "HOME": "/home/me",
        ]
        let providers: [any CredentialProvider] = [
            StaticCredentialProvider(AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: Self.secret)),
            EnvironmentCredentialProvider(environment: environment),
            SharedCredentialsFileProvider(environment: environment),
            CredentialProviderChain.standard(environment: environment),
        ]
        for provider in providers {
            var dumped = ""
            dump(provider, to: &dumped)
            for text in ["\(provider)", String(reflecting: provider), dumped] {
                #expect(!text.contains(Self.secret), "\(text)")
                #expect(!text.contains(Self.token), "\(text)")
            }
        }
        #expect(providers[0].description == "static credentials (access key ***MPLE)")
        #expect(providers[1].description == "environment (AWS_ACCESS_KEY_ID ***MPLE)")
        #expect(providers[2].description == "shared credentials file /home/me/.aws/credentials [default]")
        #expect(
            providers[3].description == """
                CredentialProviderChain(environment (AWS_ACCESS_KEY_ID ***MPLE), \
                shared credentials file /home/me/.aws/credentials [default])
                """)
    }
}

@Suite("Credentials: environment provider")
struct EnvironmentCredentialProviderTests {
    @Test func readsTheThreeVariables() async throws {
        let provider = EnvironmentCredentialProvider(environment: [
            "AWS_ACCESS_KEY_ID": "AKIA1", "AWS_SECRET_ACCESS_KEY": "s1", "AWS_SESSION_TOKEN": "t1", "OTHER": "x",
        ])
        #expect(
            try await provider.credentials()
                == AWSCredentials(accessKeyID: "AKIA1", secretAccessKey: "s1", sessionToken: "t1"))
        let withoutToken = EnvironmentCredentialProvider(environment: [
            "AWS_ACCESS_KEY_ID": "AKIA1", "AWS_SECRET_ACCESS_KEY": "s1", "AWS_SESSION_TOKEN": "",
        ])
        #expect(try await withoutToken.credentials().sessionToken == nil)
    }

    @Test(arguments: [[:], ["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""], ["AWS_SESSION_TOKEN": "t"]])
    func nothingSetIsNotFound(environment: [String: String]) async {
        let error = await credentialError {
            try await EnvironmentCredentialProvider(environment: environment).credentials()
        }
        #expect(error?.code == .notFound)
        #expect(error?.sourcesTried == ["environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set)"])
    }

    @Test(arguments: [
        (["AWS_ACCESS_KEY_ID": "AKIA1"], "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"),
        (["AWS_SECRET_ACCESS_KEY": "topsecret"], "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"),
        (
            ["AWS_ACCESS_KEY_ID": "AKIA1", "AWS_SECRET_ACCESS_KEY": ""],
            "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
        ),
    ])
    func halfAKeyPairIsAnError(environment: [String: String], detail: String) async {
        let error = await credentialError {
            try await EnvironmentCredentialProvider(environment: environment).credentials()
        }
        #expect(error?.code == .incomplete)
        #expect(error?.description == "environment: incomplete AWS credentials: \(detail)")
        #expect(error?.description.contains("topsecret") == false)
    }
}

@Suite("Credentials: shared credentials file provider")
struct SharedCredentialsFileProviderTests {
    static let file = """
        [default]
        aws_access_key_id = AKIADEFAULT
        aws_secret_access_key = default-secret

        [ci]
        aws_access_key_id = AKIACI
        aws_secret_access_key = ci-secret
        aws_session_token = ci-token

        [legacy]
        aws_access_key_id = AKIALEGACY
        aws_secret_access_key = legacy-secret
        aws_security_token = legacy-token

        [half]
        aws_access_key_id = AKIAHALF

        [role]
        role_arn = arn:aws:iam::123456789012:role/x
        """

    @Test func defaultFileAndProfileUnderHome() async throws {
        let sandbox = try CredentialsSandbox()
        try sandbox.write(".aws/credentials", Self.file)
        let provider = SharedCredentialsFileProvider(environment: ["HOME": sandbox.home])
        #expect(provider.path == sandbox.home + "/.aws/credentials")
        #expect(provider.profile == "default")
        #expect(
            try await provider.credentials()
                == AWSCredentials(accessKeyID: "AKIADEFAULT", secretAccessKey: "default-secret"))
    }

    @Test func fileVariableProfileVariableAndTildeExpansion() async throws {
        let sandbox = try CredentialsSandbox()
        try sandbox.write("elsewhere/creds.ini", Self.file)
        let explicit = SharedCredentialsFileProvider(environment: [
            "AWS_SHARED_CREDENTIALS_FILE": sandbox.home + "/elsewhere/creds.ini", "AWS_PROFILE": "ci",
            "HOME": "/nowhere",
        ])
        #expect(
            try await explicit.credentials()
                == AWSCredentials(accessKeyID: "AKIACI", secretAccessKey: "ci-secret", sessionToken: "ci-token"))

        let tilde = SharedCredentialsFileProvider(
            environment: [
                "AWS_SHARED_CREDENTIALS_FILE": "~/elsewhere/creds.ini", "HOME": sandbox.home, "AWS_PROFILE": "ci",
            ],
            profile: "legacy")
        #expect(tilde.path == sandbox.home + "/elsewhere/creds.ini")
        #expect(
            try await tilde.credentials()
                == AWSCredentials(
                    accessKeyID: "AKIALEGACY", secretAccessKey: "legacy-secret", sessionToken: "legacy-token"))

        let byPath = SharedCredentialsFileProvider(path: sandbox.home + "/elsewhere/creds.ini", profile: "ci")
        #expect(try await byPath.credentials().accessKeyID == "AKIACI")
    }

    @Test func readsTheFileAgainEachTime() async throws {
        let sandbox = try CredentialsSandbox()
        let path = try sandbox.write("c", "[default]\naws_access_key_id = ONE\naws_secret_access_key = s\n")
        let provider = SharedCredentialsFileProvider(path: path)
        #expect(try await provider.credentials().accessKeyID == "ONE")
        try sandbox.write("c", "[default]\naws_access_key_id = TWO\naws_secret_access_key = s\n")
        #expect(try await provider.credentials().accessKeyID == "TWO")
    }

    @Test func missingFileOrHomeIsNotFound() async throws {
        let sandbox = try CredentialsSandbox()
        let missing = await credentialError {
            try await SharedCredentialsFileProvider(environment: ["HOME": sandbox.home]).credentials()
        }
        #expect(missing?.code == .notFound)
        #expect(missing?.sourcesTried == ["shared credentials file \(sandbox.home)/.aws/credentials (no such file)"])

        let noHome = await credentialError { try await SharedCredentialsFileProvider(environment: [:]).credentials() }
        #expect(noHome?.code == .notFound)
        #expect(
            noHome?.sourcesTried
                == ["shared credentials file ~/.aws/credentials (HOME and AWS_SHARED_CREDENTIALS_FILE not set)"])
    }

    @Test func missingDefaultProfileIsNotFoundButANamedOneIsAnError() async throws {
        let sandbox = try CredentialsSandbox()
        let path = try sandbox.write("c", "[a]\naws_access_key_id = A\naws_secret_access_key = B\n[b]\n")
        let fallback = await credentialError { try await SharedCredentialsFileProvider(path: path).credentials() }
        #expect(fallback?.code == .notFound)
        #expect(fallback?.sourcesTried == ["shared credentials file \(path) (no [default] profile)"])

        let named = await credentialError {
            try await SharedCredentialsFileProvider(environment: [
                "AWS_SHARED_CREDENTIALS_FILE": path, "AWS_PROFILE": "prod",
            ])
            .credentials()
        }
        #expect(named?.code == .profileNotFound)
        #expect(named?.profile == "prod")
        #expect(
            named?.description
                == "shared credentials file \(path): profile not found (profile 'prod'): profiles in the file: a, b")
    }

    @Test func incompleteProfilesNameTheMissingKeyAndLine() async throws {
        let sandbox = try CredentialsSandbox()
        let path = try sandbox.write("c", Self.file)
        let half = await credentialError {
            try await SharedCredentialsFileProvider(path: path, profile: "half").credentials()
        }
        #expect(half?.code == .incomplete)
        #expect(half?.line == 15)
        #expect(
            half?.description == """
                \(path):15: incomplete AWS credentials (profile 'half'): missing aws_secret_access_key \
                (only static access keys are supported)
                """)
        #expect(half?.description.contains("AKIAHALF") == false)

        let role = await credentialError {
            try await SharedCredentialsFileProvider(path: path, profile: "role").credentials()
        }
        #expect(role?.code == .incomplete)
        #expect(role?.detail.contains("missing aws_access_key_id and aws_secret_access_key") == true)

        // A `default` profile with no keys at all is simply no credentials here.
        let other = try sandbox.write("d", "[default]\nregion = eu-west-1\n")
        let empty = await credentialError { try await SharedCredentialsFileProvider(path: other).credentials() }
        #expect(empty?.code == .notFound)
    }

    @Test func unreadableAndMalformedFiles() async throws {
        let sandbox = try CredentialsSandbox()
        let binary = try sandbox.write("binary", Data([0x5B, 0xFF, 0xFE, 0x5D]))
        let notUTF8 = await credentialError { try await SharedCredentialsFileProvider(path: binary).credentials() }
        #expect(notUTF8?.code == .unreadableFile)
        #expect(
            notUTF8?.description == "shared credentials file \(binary): credentials file could not be read: not UTF-8")

        let directory = sandbox.home
        let unreadable = await credentialError {
            try await SharedCredentialsFileProvider(path: directory).credentials()
        }
        #expect(unreadable?.code == .unreadableFile)

        let malformed = try sandbox.write("bad", "[default]\naws_secret_access_key SECRETVALUE\n")
        let error = await credentialError { try await SharedCredentialsFileProvider(path: malformed).credentials() }
        #expect(error?.code == .malformedFile)
        #expect(
            error?.description == "\(malformed):2: malformed credentials file (profile 'default'): expected key = value"
        )
    }
}

@Suite("Credentials: provider chain")
struct CredentialProviderChainTests {
    struct Failing: CredentialProvider {
        struct Boom: Error {}
        func credentials() async throws -> AWSCredentials { throw Boom() }
    }

    @Test func firstProviderWithCredentialsWins() async throws {
        let sandbox = try CredentialsSandbox()
        try sandbox.write(".aws/credentials", "[default]\naws_access_key_id = FILE\naws_secret_access_key = f\n")
        let fromEnvironment = CredentialProviderChain.standard(environment: [
            "AWS_ACCESS_KEY_ID": "ENV", "AWS_SECRET_ACCESS_KEY": "e", "HOME": sandbox.home,
        ])
        #expect(try await fromEnvironment.credentials().accessKeyID == "ENV")
        let fromFile = CredentialProviderChain.standard(environment: ["HOME": sandbox.home])
        #expect(try await fromFile.credentials().accessKeyID == "FILE")
    }

    @Test func noCredentialsListsEverySourceTried() async throws {
        let sandbox = try CredentialsSandbox()
        let chain = CredentialProviderChain.standard(environment: ["HOME": sandbox.home])
        let error = await credentialError { try await chain.credentials() }
        #expect(error?.code == .notFound)
        #expect(error?.source == nil)
        #expect(
            error?.sourcesTried == [
                "environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set)",
                "shared credentials file \(sandbox.home)/.aws/credentials (no such file)",
            ])
        #expect(
            error?.description == """
                no AWS credentials found; tried: environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set), \
                shared credentials file \(sandbox.home)/.aws/credentials (no such file)
                """)
        let empty = await credentialError { try await CredentialProviderChain([]).credentials() }
        #expect(empty?.description == "no AWS credentials found: the chain is empty")
    }

    @Test func otherErrorsStopTheChain() async throws {
        let sandbox = try CredentialsSandbox()
        try sandbox.write(".aws/credentials", "[default]\naws_access_key_id = FILE\naws_secret_access_key = f\n")
        let half = CredentialProviderChain.standard(environment: ["AWS_ACCESS_KEY_ID": "ENV", "HOME": sandbox.home])
        #expect(await credentialError { try await half.credentials() }?.code == .incomplete)

        try sandbox.write(".aws/credentials", "[default]\nnot a property\n")
        let malformed = CredentialProviderChain([
            SharedCredentialsFileProvider(environment: ["HOME": sandbox.home]),
            StaticCredentialProvider(AWSCredentials(accessKeyID: "STATIC", secretAccessKey: "s")),
        ])
        #expect(await credentialError { try await malformed.credentials() }?.code == .malformedFile)

        let custom = CredentialProviderChain([
            Failing(), StaticCredentialProvider(AWSCredentials(accessKeyID: "S", secretAccessKey: "s")),
        ])
        await #expect(throws: Failing.Boom.self) { try await custom.credentials() }
        #expect(Failing().description == "Failing")
    }

    @Test func configurationCredentialsComeFirstThenTheFile() async throws {
        let sandbox = try CredentialsSandbox()
        try sandbox.write(".aws/credentials", "[default]\naws_access_key_id = FILE\naws_secret_access_key = f\n")
        let environment = ["HOME": sandbox.home]

        var configuration = MLOpsConfiguration()
        configuration.awsAccessKeyID = "CONFIG"
        configuration.awsSecretAccessKey = "c"
        configuration.awsSessionToken = "t"
        #expect(
            try await configuration.makeS3CredentialProvider(environment: environment).credentials()
                == AWSCredentials(accessKeyID: "CONFIG", secretAccessKey: "c", sessionToken: "t"))

        #expect(
            try await MLOpsConfiguration().makeS3CredentialProvider(environment: environment).credentials()
                .accessKeyID == "FILE")

        let loaded = try ConfigurationLoader.load(
            environment: ["AWS_ACCESS_KEY_ID": "LOADED", "AWS_SECRET_ACCESS_KEY": "l"], dotEnv: nil)
        #expect(
            try await loaded.makeS3CredentialProvider(environment: environment).credentials().accessKeyID == "LOADED")

        configuration.awsSecretAccessKey = nil
        let error = await credentialError {
            try await configuration.makeS3CredentialProvider(environment: environment).credentials()
        }
        #expect(
            error?.description
                == "configuration: incomplete AWS credentials: "
                + "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
        )

        let nothing = await credentialError {
            try await MLOpsConfiguration().makeS3CredentialProvider(environment: [:]).credentials()
        }
        #expect(nothing?.sourcesTried.first == "configuration (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set)")
    }

    @Test func theConfigurationNamesTheCredentialsFileAndProfile() async throws {
        let sandbox = try CredentialsSandbox()
        try sandbox.write(".aws/credentials", "[default]\naws_access_key_id = HOME\naws_secret_access_key = h\n")
        let file = try sandbox.write(
            "stack/creds.ini",
            "[default]\naws_access_key_id = D\naws_secret_access_key = d\n"
                + "[ci]\naws_access_key_id = CI\naws_secret_access_key = c\n")
        let dotEnv = try DotEnvFile(
            parsing: "AWS_SHARED_CREDENTIALS_FILE=\(file)\nAWS_PROFILE=ci\n", path: "/stack/.env", environment: [:])

        // From a .env file: the environment passed for HOME names neither.
        let loaded = try ConfigurationLoader.load(environment: [:], dotEnv: dotEnv)
        #expect(loaded.awsSharedCredentialsFile == file)
        #expect(loaded.awsProfile == "ci")
        let environment = ["HOME": sandbox.home]
        #expect(try await loaded.makeS3CredentialProvider(environment: environment).credentials().accessKeyID == "CI")

        // The configuration's values beat the environment given to the provider.
        let contrary = ["HOME": sandbox.home, "AWS_PROFILE": "default", "AWS_SHARED_CREDENTIALS_FILE": "/nowhere"]
        #expect(try await loaded.makeS3CredentialProvider(environment: contrary).credentials().accessKeyID == "CI")

        // Unset in the configuration, the environment given still counts, then ~/.aws/credentials.
        #expect(
            try await MLOpsConfiguration().makeS3CredentialProvider(
                environment: ["HOME": sandbox.home, "AWS_SHARED_CREDENTIALS_FILE": file]
            ).credentials().accessKeyID == "D")
        #expect(
            try await MLOpsConfiguration().makeS3CredentialProvider(environment: environment).credentials()
                .accessKeyID == "HOME")

        // A profile the file does not have is an error naming it, not a fall-back to another one.
        var missing = loaded
        missing.awsProfile = "prod"
        let error = await credentialError {
            try await missing.makeS3CredentialProvider(environment: environment).credentials()
        }
        #expect(error?.code == .profileNotFound)
        #expect(error?.profile == "prod")
    }
}
