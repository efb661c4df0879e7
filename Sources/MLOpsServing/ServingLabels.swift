import MLOpsCore

/// The labels that mark serving instances, exactly as the original stack's autoserve watcher set them,
/// so Prometheus relabelling rules and dashboards written for it keep working.
public enum ServingLabels {
    /// `mlflow_serve=true` on every serving instance.
    public static let serve = "mlflow_serve"
    /// The registered model's name.
    public static let model = "mlflow_model"
    /// The alias the instance serves.
    public static let alias = "mlflow_alias"
    /// The port the model server listens on.
    public static let port = "mlflow_port"
    /// The model version the instance serves.
    public static let version = "mlflow_version"
    /// The image the instance runs (image mode).
    public static let image = "mlflow_image"
    /// A hash of everything that shaped the instance apart from the version; an instance whose hash
    /// differs from the agent's current configuration is replaced.
    public static let configHash = "mlflow_config_hash"

    /// The selector that finds every serving instance.
    public static let selector: [String: String] = [serve: "true"]

    /// The labels of an instance of `spec` listening on `port`, as every runtime writes them: the
    /// original watcher's (`mlflow_serve`, `mlflow_model`, `mlflow_alias`, `mlflow_port`,
    /// `mlflow_version`), `mlflow_config_hash`, and the spec's extra labels (which cannot override these).
    public static func labels(for spec: ServingSpec, port: Int) -> [String: String] {
        var labels = spec.extraLabels
        labels[serve] = "true"
        labels[model] = spec.key.model
        labels[alias] = spec.key.alias
        labels[self.port] = String(port)
        labels[version] = spec.version
        labels[configHash] = spec.configHash
        return labels
    }
}

/// Names of serving instances, sanitised as the original watcher did: lower-cased, every character
/// outside `[a-z0-9_.-]` replaced by `-`, cut to 63 characters.
public enum ServingNames {
    /// `mlflow-serve-<model>-<alias>`: the stable name of the instance serving a key.
    public static func stable(for key: ServingKey) -> String {
        sanitised("mlflow-serve-\(key.model)-\(key.alias)")
    }

    /// The name a replacement carries while it starts beside the instance it replaces:
    /// the stable name with `-v<version>` appended (the suffix is kept when the name is cut).
    public static func candidate(for key: ServingKey, version: String) -> String {
        let suffix = sanitised("-v\(version)")
        let base = sanitised("mlflow-serve-\(key.model)-\(key.alias)")
        return String(base.prefix(max(0, 63 - suffix.count))) + suffix
    }

    /// `mlflow-model-<model>-v<version>`: the per-version image of `docker-image` mode.
    public static func image(model: String, version: String) -> String {
        sanitised("mlflow-model-\(model)-v\(version)")
    }

    /// Lower-cases `name`, replaces every character outside `[a-z0-9_.-]` with `-` and keeps at most
    /// 63 characters.
    public static func sanitised(_ name: String) -> String {
        var result = ""
        for scalar in name.lowercased().unicodeScalars {
            switch scalar {
            case "a"..."z", "0"..."9", "_", ".", "-": result.unicodeScalars.append(scalar)
            default: result.append("-")
            }
            if result.count == 63 { break }
        }
        return result
    }
}
