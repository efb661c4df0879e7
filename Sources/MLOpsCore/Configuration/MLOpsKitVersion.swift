/// The version of MLOpsKit.
public enum MLOpsKitVersion {
    /// The current release.
    public static let current = "0.1.0"
}
