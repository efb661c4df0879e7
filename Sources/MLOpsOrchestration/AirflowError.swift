import MLOpsCore

/// A request to Airflow that failed, with what Airflow said.
///
/// Airflow 3 (FastAPI) puts its reason in `detail` as a string, a list of validation errors or an
/// object; Airflow 2 answers `application/problem+json` with `title` and `detail`. Both are reduced to
/// one ``message``.
public struct AirflowError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String
        /// The credentials were refused or missing (HTTP 401; on Airflow 2 also a bare 403).
        public static let unauthorized = Code(name: "unauthorized")
        /// The credentials are valid but may not do this (HTTP 403).
        public static let forbidden = Code(name: "forbidden")
        /// The DAG, run, task or try does not exist (HTTP 404).
        public static let notFound = Code(name: "not found")
        /// A run with this ID or logical date already exists (HTTP 409).
        public static let conflict = Code(name: "conflict")
        /// Airflow rejected the request's content (HTTP 400, 422).
        public static let invalid = Code(name: "invalid request")
        /// Airflow failed (HTTP 5xx).
        public static let server = Code(name: "server error")
        /// The answer was not what the API describes.
        public static let unexpectedResponse = Code(name: "unexpected response")
        /// A wait for a run ended before the run did.
        public static let timedOut = Code(name: "timed out")
        public var description: String { name }
    }

    public var code: Code
    /// The HTTP status, when there was a response.
    public var status: Int?
    /// Airflow's reason, on one line.
    public var message: String
    /// The DAG concerned, when there is one.
    public var dagID: String?

    public init(code: Code, status: Int?, message: String, dagID: String? = nil) {
        self.code = code
        self.status = status
        self.message = message
        self.dagID = dagID
    }

    public var isNotFound: Bool { code == .notFound }

    public var description: String {
        var text = "Airflow \(code)"
        if let status { text += " (HTTP \(status))" }
        return text + ": \(message)"
    }
}
