import MLOpsCore

/// An error reported by an MLflow server, or found by ``MLflowClient`` before a request was sent or
/// while reading a response.
///
/// Server errors carry the server's `error_code` (``Code``), the HTTP status and the server's message.
/// Errors found locally use ``Code/invalidArgument`` (the request was never sent) or
/// ``Code/malformedResponse`` (the response could not be read).
///
/// The ``endpoint`` names the operation as method and path only, such as `"GET runs/get"`: never the
/// query string, the host or any credentials.
public struct MLflowError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure: an MLflow `error_code`, or one of the local codes.
    ///
    /// Codes the client does not know are kept verbatim through ``init(rawValue:)``, so comparing
    /// against the static members below never loses information.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The `error_code` string as the server sent it, or a lower-camel-case name for local codes.
        public let rawValue: String

        /// A code from its raw value, for example `"RESOURCE_DOES_NOT_EXIST"`.
        public init(rawValue: String) { self.rawValue = rawValue }

        // MARK: Generic server codes

        /// An invariant broke inside the server (HTTP 500).
        public static let internalError = Code(rawValue: "INTERNAL_ERROR")
        /// The service is unavailable for now; retrying with backoff may succeed (HTTP 503).
        public static let temporarilyUnavailable = Code(rawValue: "TEMPORARILY_UNAVAILABLE")
        /// The server hit an I/O error.
        public static let ioError = Code(rawValue: "IO_ERROR")
        /// The request is invalid (HTTP 400).
        public static let badRequest = Code(rawValue: "BAD_REQUEST")
        /// A service behind the server is being redeployed.
        public static let serviceUnderMaintenance = Code(rawValue: "SERVICE_UNDER_MAINTENANCE")
        /// The workspace is being reassigned.
        public static let workspaceTemporarilyUnavailable = Code(rawValue: "WORKSPACE_TEMPORARILY_UNAVAILABLE")
        /// The deadline expired before the operation completed (HTTP 504).
        public static let deadlineExceeded = Code(rawValue: "DEADLINE_EXCEEDED")
        /// The operation was cancelled.
        public static let cancelled = Code(rawValue: "CANCELLED")
        /// A quota or other resource is exhausted (HTTP 429).
        public static let resourceExhausted = Code(rawValue: "RESOURCE_EXHAUSTED")
        /// The operation was aborted by a concurrency conflict (HTTP 409).
        public static let aborted = Code(rawValue: "ABORTED")
        /// The resource does not exist (HTTP 404).
        public static let notFound = Code(rawValue: "NOT_FOUND")
        /// The resource already exists (HTTP 409).
        public static let alreadyExists = Code(rawValue: "ALREADY_EXISTS")
        /// The request has no valid credentials (HTTP 401).
        public static let unauthenticated = Code(rawValue: "UNAUTHENTICATED")

        // MARK: Application codes

        /// A parameter has an invalid value (HTTP 400).
        public static let invalidParameterValue = Code(rawValue: "INVALID_PARAMETER_VALUE")
        /// No such endpoint: wrong path or method, or a server too old for it (HTTP 404).
        public static let endpointNotFound = Code(rawValue: "ENDPOINT_NOT_FOUND")
        /// The request was malformed.
        public static let malformedRequest = Code(rawValue: "MALFORMED_REQUEST")
        /// An input is not in a valid state for the operation.
        public static let invalidState = Code(rawValue: "INVALID_STATE")
        /// The caller may not perform the operation (HTTP 403).
        public static let permissionDenied = Code(rawValue: "PERMISSION_DENIED")
        /// The feature is disabled on this server.
        public static let featureDisabled = Code(rawValue: "FEATURE_DISABLED")
        /// Legacy name for an authentication failure (HTTP 401).
        public static let customerUnauthorized = Code(rawValue: "CUSTOMER_UNAUTHORIZED")
        /// The request was throttled (HTTP 429).
        public static let requestLimitExceeded = Code(rawValue: "REQUEST_LIMIT_EXCEEDED")
        /// The request conflicts with an existing resource.
        public static let resourceConflict = Code(rawValue: "RESOURCE_CONFLICT")
        /// An HTTP response could not be parsed.
        public static let unparseableHTTPError = Code(rawValue: "UNPARSEABLE_HTTP_ERROR")
        /// The operation is not implemented by this server or store (HTTP 501).
        public static let notImplemented = Code(rawValue: "NOT_IMPLEMENTED")
        /// Data was lost or corrupted.
        public static let dataLoss = Code(rawValue: "DATA_LOSS")
        /// An invalid state transition was requested.
        public static let invalidStateTransition = Code(rawValue: "INVALID_STATE_TRANSITION")
        /// A lock held by another operation blocked this one.
        public static let couldNotAcquireLock = Code(rawValue: "COULD_NOT_ACQUIRE_LOCK")
        /// The resource already exists, for example an experiment or registered model of the same name.
        public static let resourceAlreadyExists = Code(rawValue: "RESOURCE_ALREADY_EXISTS")
        /// The resource does not exist, for example a run, experiment, model or model version.
        public static let resourceDoesNotExist = Code(rawValue: "RESOURCE_DOES_NOT_EXIST")
        /// A storage quota was exceeded.
        public static let quotaExceeded = Code(rawValue: "QUOTA_EXCEEDED")
        /// A block was larger than allowed.
        public static let maxBlockSizeExceeded = Code(rawValue: "MAX_BLOCK_SIZE_EXCEEDED")
        /// A read was larger than allowed.
        public static let maxReadSizeExceeded = Code(rawValue: "MAX_READ_SIZE_EXCEEDED")
        /// Only part of a delete succeeded.
        public static let partialDelete = Code(rawValue: "PARTIAL_DELETE")
        /// A listing was larger than allowed.
        public static let maxListSizeExceeded = Code(rawValue: "MAX_LIST_SIZE_EXCEEDED")
        /// A resource limit would be exceeded.
        public static let resourceLimitExceeded = Code(rawValue: "RESOURCE_LIMIT_EXCEEDED")

        // MARK: Local codes

        /// The client rejected an argument before sending anything, for example a param value longer
        /// than the server accepts.
        public static let invalidArgument = Code(rawValue: "invalidArgument")
        /// A response could not be decoded as the endpoint's JSON.
        public static let malformedResponse = Code(rawValue: "malformedResponse")
        /// The server answered with a status that is neither success nor an error, such as a redirect.
        public static let unexpectedStatus = Code(rawValue: "unexpectedStatus")

        /// Whether the client produced this code itself rather than receiving it from a server.
        public var isLocal: Bool {
            self == .invalidArgument || self == .malformedResponse || self == .unexpectedStatus
        }

        public var description: String { rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// The HTTP status of the response, or `nil` when the error was found before sending.
    public var httpStatus: Int?
    /// A human-readable explanation: the server's message, or a cleaned excerpt of a non-JSON body.
    public var message: String
    /// The operation as method and path relative to the API root, such as `"POST runs/log-batch"`.
    public var endpoint: String?
    /// The server's `error_class`, when it sent one (for example `"RESOURCE_NOT_FOUND"`).
    public var errorClass: String?
    /// Set when a registered model exists but has no such alias; see ``isAliasNotFound``.
    var aliasMissing: Bool = false

    /// Creates an error.
    public init(
        code: Code,
        httpStatus: Int? = nil,
        message: String,
        endpoint: String? = nil,
        errorClass: String? = nil
    ) {
        self.code = code
        self.httpStatus = httpStatus
        self.message = message
        self.endpoint = endpoint
        self.errorClass = errorClass
    }

    /// Whether the error says that the addressed resource (experiment, run, model, version or alias)
    /// does not exist. A wrong URL (``Code/endpointNotFound``) does not count.
    public var isNotFound: Bool {
        code == .resourceDoesNotExist || code == .notFound
    }

    /// Whether the registered model exists but has no such alias.
    ///
    /// MLflow answers that case with HTTP 400 `INVALID_PARAMETER_VALUE`; ``MLflowClient`` turns it into
    /// ``Code/resourceDoesNotExist`` and sets this flag, so it can be told apart from a missing model.
    public var isAliasNotFound: Bool { aliasMissing }

    /// Whether repeating the request later may succeed.
    public var isTransient: Bool {
        switch code {
        case .temporarilyUnavailable, .serviceUnderMaintenance, .workspaceTemporarilyUnavailable,
            .requestLimitExceeded, .resourceExhausted, .deadlineExceeded, .couldNotAcquireLock:
            true
        default:
            httpStatus.map { $0 == 429 || $0 == 502 || $0 == 503 || $0 == 504 } ?? false
        }
    }

    public var description: String {
        var text = "MLflow error \(code)"
        if let httpStatus { text += " (HTTP \(httpStatus))" }
        if let endpoint { text += " from \(endpoint)" }
        return text + ": " + message
    }
}
