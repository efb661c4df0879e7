import Logging
import MLOpsKit
import ServiceLifecycle

/// Runs the alias reconciler until graceful shutdown. Stopping only stops reconciling: serving
/// instances keep running, and the next agent adopts them.
struct ReconcilerService: Service {
    let reconciler: AliasReconciler
    let logger: Logger

    func run() async throws {
        let reconciler = reconciler
        await cancelWhenGracefulShutdown {
            await reconciler.run()
        }
        logger.notice("stopped reconciling; serving instances keep running", metadata: ["event": "shutdown"])
    }
}
