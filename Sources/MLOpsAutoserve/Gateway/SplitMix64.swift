/// SplitMix64 (Steele, Lea and Flood): a fast, small pseudo-random generator for the gateway's canary
/// draws, seeded once per event loop so that a request costs a few arithmetic operations and no system
/// call. Not for secrets.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator starting from `seed`: the same seed gives the same draws.
    public init(seed: UInt64) {
        state = seed
    }

    /// A generator seeded from the system's generator.
    public init() {
        var system = SystemRandomNumberGenerator()
        state = system.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
