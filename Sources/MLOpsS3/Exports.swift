// The transport and configuration types this module's API takes come with `import MLOpsS3`.
@_exported import MLOpsCore
