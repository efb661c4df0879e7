/// A stand-in for a training loop: loss falls and accuracy rises with the step, with a small
/// deterministic wobble, so every run logs the same curves.
struct SimulatedTraining: Sendable {
    let learningRate: Double

    /// The metrics after `step` steps.
    func metrics(atStep step: Int) -> [String: Double] {
        let progress = Double(step + 1) * learningRate
        let wobble = 0.005 * Double((step * 7) % 5 - 2)
        let loss = 1 / (1 + progress) + 0.05 + wobble
        return ["loss": loss, "accuracy": min(1, 1 - loss / 2), "learning_rate": learningRate]
    }

    /// The "model" this training produces, as the JSON document the example uploads.
    func modelDocument(steps: Int) -> String {
        let final = metrics(atStep: steps - 1)
        return """
            {"kind": "simulated", "steps": \(steps), "learning_rate": \(learningRate), \
            "final_loss": \(final["loss"] ?? 0), "final_accuracy": \(final["accuracy"] ?? 0)}

            """
    }
}
