// The transport, configuration and S3 types this module's API takes (an ``S3ArtifactStore`` is made from
// an `S3Client`) come with `import MLOpsMLflow`.
@_exported import MLOpsCore
@_exported import MLOpsS3
