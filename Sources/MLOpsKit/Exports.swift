// `import MLOpsKit` brings in every module of the library, as before the library was split into them.
@_exported import MLOpsAutoserve
@_exported import MLOpsCore
@_exported import MLOpsMLflow
@_exported import MLOpsOrchestration
@_exported import MLOpsS3
@_exported import MLOpsServing
