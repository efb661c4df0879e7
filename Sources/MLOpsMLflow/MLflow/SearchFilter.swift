import MLOpsCore

/// Helpers for MLflow search filter strings.
public enum SearchFilter {
    /// `value` as a single-quoted filter literal, with `\` and `'` escaped: `o'brien` → `'o\'brien'`.
    public static func quoted(_ value: String) -> String {
        "'" + value.replacing("\\", with: "\\\\").replacing("'", with: "\\'") + "'"
    }

    /// The filter that selects one registered model's versions: `name='<model>'`.
    public static func versions(ofModel model: String) -> String {
        "name=" + quoted(model)
    }
}
