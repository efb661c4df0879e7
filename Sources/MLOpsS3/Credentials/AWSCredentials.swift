import MLOpsCore

/// An AWS access key, with the session token of temporary credentials.
///
/// Printing, dumping or interpolating credentials never shows the secret access key or the session
/// token: ``description``, ``debugDescription`` and ``customMirror`` mask them, and show only the last
/// four characters of the access key id (as `aws configure list` does).
public struct AWSCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The access key id, such as `AKIAIOSFODNN7EXAMPLE`.
    public var accessKeyID: String
    /// The secret access key.
    public var secretAccessKey: String
    /// The session token of temporary credentials (`x-amz-security-token`), or `nil`.
    public var sessionToken: String?

    /// Creates credentials.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// The access key id as it may be shown: `***MPLE`.
    public var displayAccessKeyID: String {
        ConfigurationKey.awsAccessKeyID.displayValue(for: accessKeyID)
    }

    private var displayFields: KeyValuePairs<String, String> {
        [
            "accessKeyID": displayAccessKeyID,
            "secretAccessKey": Redaction.mask,
            "sessionToken": sessionToken == nil ? "nil" : Redaction.mask,
        ]
    }

    /// `AWSCredentials(accessKeyID: ***MPLE, secretAccessKey: ***, sessionToken: nil)`.
    public var description: String {
        "AWSCredentials(" + displayFields.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + ")"
    }

    /// The same as ``description``.
    public var debugDescription: String { description }

    /// The fields as ``description`` shows them, so `dump` and debuggers never see the secret or token.
    public var customMirror: Mirror {
        Mirror(self, children: displayFields.map { (label: Optional($0.key), value: $0.value as Any) })
    }
}
