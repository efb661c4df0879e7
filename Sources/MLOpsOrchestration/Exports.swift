// The transport and configuration types this module's API takes come with `import MLOpsOrchestration`.
@_exported import MLOpsCore
