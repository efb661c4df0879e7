import MLOpsCore

// The transport, configuration and MLflow types this module's API takes come with `import MLOpsServing`.
@_exported import MLOpsCore
@_exported import MLOpsMLflow
