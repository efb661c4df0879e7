import MLOpsCore

/// The shared secret MLflow signs webhook deliveries with.
///
/// The value never shows in descriptions, debug output, `dump` or errors: all of them print
/// ``Redaction/mask``. Read it only through ``bytes`` (for signing) or by sending it to the server.
public struct WebhookSecret: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret as the server stores it.
    let value: String

    /// Wraps a secret. MLflow signs with the UTF-8 bytes of this string.
    public init(_ value: String) {
        self.value = value
    }

    /// Whether the secret is the empty string (the server then sends no signature).
    public var isEmpty: Bool { value.isEmpty }

    /// The key bytes of the HMAC.
    package var bytes: [UInt8] { Array(value.utf8) }

    public var description: String { Redaction.mask }
    public var debugDescription: String { "WebhookSecret(\(Redaction.mask))" }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
