import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension MLflowClient {
    /// Where the tracking server is and how to talk to it.
    ///
    /// Its ``description`` masks any password in the URL and never shows the credentials' secrets.
    public struct Configuration: Sendable, CustomStringConvertible, CustomReflectable {
        /// The server's base URL, such as `http://127.0.0.1:5000`. A path prefix (for a server behind a
        /// reverse proxy, `https://host/mlflow`) is kept; the client appends `/api/2.0/mlflow/…`.
        public var trackingURI: URL
        /// How to authenticate. Defaults to ``MLflowCredentials/none``.
        public var credentials: MLflowCredentials
        /// The total time allowed for one request, or `nil` to use the transport's own limit.
        public var requestTimeout: Duration?

        /// Creates a configuration.
        public init(
            trackingURI: URL,
            credentials: MLflowCredentials = .none,
            requestTimeout: Duration? = .seconds(60)
        ) {
            self.trackingURI = trackingURI
            self.credentials = credentials
            self.requestTimeout = requestTimeout
        }

        public var description: String {
            "MLflowClient.Configuration(trackingURI: \(Redaction.redact(trackingURI)), credentials: \(credentials), "
                + "requestTimeout: \(requestTimeout.map { "\($0)" } ?? "transport default"))"
        }

        public var customMirror: Mirror {
            Mirror(
                self,
                children: [
                    "trackingURI": Redaction.redact(trackingURI),
                    "credentials": credentials.description,
                    "requestTimeout": requestTimeout as Any,
                ]
            )
        }
    }
}
