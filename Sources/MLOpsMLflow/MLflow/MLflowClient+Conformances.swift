import MLOpsCore

extension MLflowClient: TrackingStore {}

extension MLflowClient: ModelRegistry {}
