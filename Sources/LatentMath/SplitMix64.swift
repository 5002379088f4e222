import Foundation

/// SplitMix64: a small, fast, seedable generator, so seeded sampling and benchmarks replay
/// exactly. Adds Gaussian (Box–Muller) and unit-interval draws.
public struct SplitMix64: RandomNumberGenerator, Sendable {
  private var state: UInt64

  /// Starts the sequence for `seed`.
  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in [0, 1).
  public mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }

  /// A standard normal draw.
  public mutating func nextGaussian() -> Float {
    let u1 = max(Float.leastNormalMagnitude, Float(next() >> 40) / Float(1 << 24))
    let u2 = Float(next() >> 40) / Float(1 << 24)
    return (-2 * logf(u1)).squareRoot() * cosf(2 * .pi * u2)
  }
}
