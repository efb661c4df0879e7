extension MLflowClient: TrackingStore {}

extension MLflowClient: ModelRegistry {}
