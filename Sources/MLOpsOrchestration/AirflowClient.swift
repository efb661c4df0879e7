import MLOpsCore
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Airflow's REST API, version 2 (Airflow 3, JWT from `POST /auth/token`) or version 1 (Airflow 2,
/// basic auth), chosen by probing unless configured.
///
/// ```swift
/// let airflow = AirflowClient(configuration: .init(
///     baseURL: URL(string: "http://127.0.0.1:8080")!, username: "admin", password: "admin"))
/// try await airflow.setPaused("dag_training", false)
/// let run = try await airflow.trigger("dag_training", conf: ["epochs": .number(3)], runID: nil, logicalDate: nil)
/// let done = try await airflow.waitForRun("dag_training", runID: run.runID, timeout: .seconds(300))
/// ```
///
/// On Airflow 3 the token is fetched on first use, reused until a minute before it expires, and fetched
/// again once when a request is refused with 401 or 403 (a restarted Airflow rotates its signing key).
/// Credentials and tokens never appear in errors or descriptions.
public struct AirflowClient: Orchestrator {
    /// Which REST API to speak.
    public enum APIVersion: String, Sendable, Hashable, CaseIterable {
        /// Probe `GET /api/v2/version`: API v2 if it answers, else v1.
        case automatic
        /// `/api/v2`, Airflow 3.
        case v2
        /// `/api/v1`, Airflow 2.
        case v1
    }

    /// Where Airflow is and who signs in.
    public struct Configuration: Sendable, CustomStringConvertible {
        /// The API server's (Airflow 3) or web server's (Airflow 2) base URL.
        public var baseURL: URL
        public var username: String
        public var password: String
        public var apiVersion: APIVersion
        /// Each request's time limit; Airflow answers slowly while it starts tasks on a busy host.
        public var requestTimeout: Duration

        public init(
            baseURL: URL, username: String, password: String, apiVersion: APIVersion = .automatic,
            requestTimeout: Duration = .seconds(30)
        ) {
            self.baseURL = baseURL
            self.username = username
            self.password = password
            self.apiVersion = apiVersion
            self.requestTimeout = requestTimeout
        }

        /// The URL and user, never the password.
        public var description: String { "Airflow at \(Redaction.redact(baseURL)) as \(username)" }
    }

    public let configuration: Configuration
    let transport: any HTTPTransport
    let session: AirflowSession

    /// A client of the Airflow at `configuration.baseURL`.
    public init(configuration: Configuration, transport: any HTTPTransport = CurlTransport()) {
        self.configuration = configuration
        self.transport = transport
        self.session = AirflowSession(version: configuration.apiVersion == .automatic ? nil : configuration.apiVersion)
    }

    /// The API version in use, probing for it on first call when configured `.automatic`.
    public func apiVersion() async throws -> APIVersion {
        if let known = await session.version { return known }
        let probe = try await transport.send(
            TransportRequest(url: url("/api/v2/version"), timeout: configuration.requestTimeout, operationName: "airflow version"))
        let version: APIVersion
        switch probe.status {
        case 200..<300: version = .v2
        case 404:
            version = .v1
        default:
            throw AirflowError(
                code: .unexpectedResponse, status: probe.status,
                message: "\(Redaction.redact(configuration.baseURL)) answered GET /api/v2/version with HTTP \(probe.status); is it Airflow?")
        }
        await session.setVersion(version)
        return version
    }

    // MARK: Requests

    /// Sends a request under `/api/v<N>` and returns the successful response's body.
    func send(
        _ method: TransportMethod, _ path: String, query: [(String, String)] = [], json body: (any Encodable & Sendable)? = nil,
        accept: String = "application/json", dagID: String? = nil
    ) async throws -> Data {
        let version = try await apiVersion()
        var attempt = 0
        while true {
            attempt += 1
            var request = TransportRequest(
                method: method, url: url("/api/\(version.rawValue)" + path, query: query),
                timeout: configuration.requestTimeout, operationName: "airflow \(method.rawValue) \(path)")
            request.headers["Accept"] = accept
            if let body {
                request.headers["Content-Type"] = "application/json"
                request.body = .bytes(try JSONEncoder().encode(body))
            }
            request.headers["Authorization"] = try await authorization(for: version)
            let response = try await transport.send(request)
            if response.isSuccess { return response.body }
            if version == .v2, response.status == 401 || response.status == 403, attempt == 1 {
                await session.forgetToken()  // expired or from before a restart: sign in again, once
                continue
            }
            if (500...504).contains(response.status), method != .post, attempt < Self.maximumAttempts {
                // Reads and PATCHes may be repeated; Airflow on SQLite fails now and then under load.
                try await Task.sleep(for: .milliseconds(500 * attempt))
                continue
            }
            throw Self.error(for: response, version: version, dagID: dagID)
        }
    }

    /// How often an idempotent request is sent when Airflow answers with a server error.
    static let maximumAttempts = 3

    /// `Authorization` for the API version: a bearer token (v2) or basic credentials (v1).
    private func authorization(for version: APIVersion) async throws -> String {
        guard version == .v2 else {
            return "Basic " + Data("\(configuration.username):\(configuration.password)".utf8).base64EncodedString()
        }
        if let token = await session.validToken(now: Date()) { return "Bearer \(token)" }
        let token = try await signIn()
        await session.store(token)
        return "Bearer \(token.value)"
    }

    /// `POST /auth/token` with the configured user.
    private func signIn() async throws -> AirflowSession.Token {
        var request = TransportRequest(
            method: .post, url: url("/auth/token"), timeout: configuration.requestTimeout, operationName: "airflow sign-in")
        request.headers["Content-Type"] = "application/json"
        request.body = .bytes(
            try JSONEncoder().encode(["username": configuration.username, "password": configuration.password]))
        let response = try await transport.send(request)
        guard response.isSuccess else {
            var error = Self.error(for: response, version: .v2, dagID: nil)
            error.message = "signing in as \(configuration.username) failed: \(error.message)"
            throw error
        }
        guard let token = try? JSONDecoder().decode(TokenResponse.self, from: response.body).accessToken, !token.isEmpty else {
            throw AirflowError(code: .unexpectedResponse, status: response.status, message: "POST /auth/token returned no access_token")
        }
        return AirflowSession.Token(value: token, expires: Self.expiry(ofJWT: token))
    }

    private struct TokenResponse: Decodable {
        var accessToken: String
        enum CodingKeys: String, CodingKey { case accessToken = "access_token" }
    }

    /// The `exp` claim of a JWT, read without verifying it (the server does that).
    static func expiry(ofJWT token: String) -> Date? {
        let parts = token.split(separator: ".")
        guard parts.count == 3 else { return nil }
        var base64 = String(parts[1]).replacing("-", with: "+").replacing("_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64),
            let claims = try? JSONDecoder().decode(Claims.self, from: data), let exp = claims.exp
        else { return nil }
        return Date(timeIntervalSince1970: exp)
    }

    private struct Claims: Decodable { var exp: Double? }

    /// `baseURL` + `path` (already percent-encoded) + the query, encoded.
    func url(_ path: String, query: [(String, String)] = []) -> URL {
        var text = configuration.baseURL.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        text += path
        if !query.isEmpty {
            text += "?" + query.map { "\(SigV4Encoding.uriEncode($0.0))=\(SigV4Encoding.uriEncode($0.1))" }.joined(separator: "&")
        }
        return URL(string: text)!
    }

    /// One path segment, percent-encoded (run IDs hold `:` and `+`).
    static func segment(_ value: String) -> String { SigV4Encoding.uriEncode(value) }

    // MARK: Errors

    /// The error a failed response stands for, with Airflow's reason in whichever shape it came.
    static func error(for response: TransportResponse, version: APIVersion, dagID: String?) -> AirflowError {
        let status = response.status
        let code: AirflowError.Code =
            switch status {
            case 401: .unauthorized
            case 403:
                // Airflow 2's basic-auth backend answers 403 for wrong credentials too.
                version == .v1 ? .unauthorized : .forbidden
            case 404: .notFound
            case 409: .conflict
            case 400, 422: .invalid
            case 500...: .server
            default: .unexpectedResponse
            }
        return AirflowError(code: code, status: status, message: message(in: response.body, status: status), dagID: dagID)
    }

    /// Airflow's reason: `detail` as a string, a list of validation errors (`loc: msg`), or an object
    /// (its `message` or `reason`); else `title`; else the start of the body.
    static func message(in body: Data, status: Int) -> String {
        if let problem = try? JSONDecoder().decode(Problem.self, from: body) {
            switch problem.detail {
            case .string(let text)?: return text
            case .array(let items)?:
                let lines = items.compactMap { item -> String? in
                    guard case .object(let fields) = item else { return nil }
                    let location = fields["loc"].flatMap { value -> String? in
                        guard case .array(let parts) = value else { return nil }
                        return parts.map { part -> String in
                            switch part {
                            case .string(let text): text
                            case .number(let number): String(Int(number))
                            default: "?"
                            }
                        }.joined(separator: ".")
                    }
                    guard case .string(let message)? = fields["msg"] else { return nil }
                    return location.map { "\($0): \(message)" } ?? message
                }
                if !lines.isEmpty { return lines.joined(separator: "; ") }
            case .object(let fields)?:
                for key in ["message", "reason"] {
                    if case .string(let text)? = fields[key] { return text }
                }
            default: break
            }
            if let title = problem.title { return title }
        }
        let text = ResponseExcerpt.excerpt(of: String(decoding: body.prefix(4096), as: UTF8.self))
        return text.isEmpty ? "HTTP \(status)" : String(text.prefix(200))
    }

    private struct Problem: Decodable {
        var detail: JSONValue?
        var title: String?
    }
}

/// The state an ``AirflowClient`` keeps between requests: the API version found and the current token.
actor AirflowSession {
    struct Token: Sendable {
        var value: String
        var expires: Date?
    }

    private(set) var version: AirflowClient.APIVersion?
    private var token: Token?

    init(version: AirflowClient.APIVersion?) {
        self.version = version
    }

    func setVersion(_ version: AirflowClient.APIVersion) { self.version = version }

    /// The token, unless it expires within a minute.
    func validToken(now: Date) -> String? {
        guard let token else { return nil }
        if let expires = token.expires, expires.timeIntervalSince(now) < 60 { return nil }
        return token.value
    }

    func store(_ token: Token) { self.token = token }
    func forgetToken() { token = nil }
}
