extension CurlTransport {
    /// Settings of a ``CurlTransport``. Every field has a default that suits talking to MLflow, S3,
    /// Airflow and Docker.
    public struct Configuration: Sendable {
        /// Limit for establishing a connection (TCP and TLS).
        public var connectTimeout: Duration = .seconds(10)
        /// Limit for a whole request, response body included, unless the request sets its own.
        /// `nil` means no limit (the low-speed limit still applies).
        public var requestTimeout: Duration? = .seconds(120)
        /// Abort a transfer that moves fewer than `bytesPerSecond` for `duration`. `nil` turns it off.
        public var lowSpeedLimit: LowSpeedLimit? = LowSpeedLimit(bytesPerSecond: 1, duration: .seconds(60))
        /// TLS verification settings. Verification is on by default.
        public var tls: TLS = TLS()
        /// When to keep connections for later requests.
        public var connectionReuse: ConnectionReusePolicy = .automatic
        /// Most connections open to one host at a time; further requests wait for one.
        public var maximumConnectionsPerHost: Int = 16
        /// The `User-Agent` header sent unless a request sets its own.
        public var userAgent: String = "MLOpsKit/\(MLOpsKitVersion.current)"
        /// Whether proxies from the standard environment variables (`http_proxy`, `HTTPS_PROXY`,
        /// `ALL_PROXY`, `NO_PROXY`) are used. Loopback addresses are never proxied.
        public var usesEnvironmentProxies: Bool = true

        public init() {}

        /// A minimum transfer speed below which a transfer is aborted.
        public struct LowSpeedLimit: Sendable, Hashable {
            public var bytesPerSecond: Int
            public var duration: Duration

            public init(bytesPerSecond: Int, duration: Duration) {
                self.bytesPerSecond = bytesPerSecond
                self.duration = duration
            }
        }

        /// TLS settings.
        public struct TLS: Sendable, Hashable {
            /// Whether the server's certificate and host name are verified. Turn off only on an explicit
            /// request from the user (an `--insecure` flag or `MLFLOW_TRACKING_INSECURE_TLS=true`).
            public var verifiesPeer: Bool = true
            /// A PEM bundle of certificate authorities to trust instead of the system's.
            public var caBundlePath: String?

            public init(verifiesPeer: Bool = true, caBundlePath: String? = nil) {
                self.verifiesPeer = verifiesPeer
                self.caBundlePath = caBundlePath
            }
        }
    }
}
