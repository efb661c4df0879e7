import MLOpsCore

extension BatchingRunLogger {
    /// How a ``BatchingRunLogger`` groups, buffers and retries.
    public struct Configuration: Sendable, Hashable {
        /// A batch goes out as soon as this many entries are waiting (MLflow takes at most 1,000
        /// entities per `runs/log-batch`; larger values are capped).
        public var batchSize: Int = 1000
        /// A batch goes out when its oldest entry has waited this long, even if it is small.
        public var maximumDelay: Duration = .seconds(1)
        /// Most entries held in memory. When the buffer is full, `log` waits for space
        /// (backpressure) instead of dropping anything.
        public var bufferCapacity: Int = 100_000
        /// How long a batch is retried while the server is unreachable or answers with a transient
        /// error (a restart, say) before the logger gives up and reports the failure.
        public var retryTimeout: Duration = .seconds(300)
        /// The first wait between retries of a batch; it doubles up to ``maximumRetryBackoff``.
        public var initialRetryBackoff: Duration = .milliseconds(250)
        /// The longest wait between retries of a batch.
        public var maximumRetryBackoff: Duration = .seconds(5)

        public init() {}
    }
}
