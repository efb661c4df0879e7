import MLOpsCore

// The modules whose types this module's API takes come with `import MLOpsAutoserve`.
@_exported import MLOpsCore
@_exported import MLOpsMLflow
@_exported import MLOpsS3
@_exported import MLOpsServing
