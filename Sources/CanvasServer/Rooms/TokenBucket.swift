import Foundation
import Latent

/// A token bucket: `rate` tokens a second, up to `burst`. Each frame a client sends takes a
/// token; with none left the frame is refused and the client told when to retry.
struct TokenBucket: Sendable {
  let rate: Double
  let burst: Double
  private var tokens: Double
  private var updated: ContinuousClock.Instant

  init(rate: Double, burst: Double, now: ContinuousClock.Instant = .now) {
    self.rate = rate
    self.burst = burst
    self.tokens = burst
    self.updated = now
  }

  /// Takes a token if there is one; otherwise returns how long until there will be.
  mutating func take(now: ContinuousClock.Instant = .now) -> Duration? {
    let elapsed = now - updated
    updated = now
    tokens = min(burst, tokens + rate * elapsed.seconds)
    if tokens >= 1 {
      tokens -= 1
      return nil
    }
    return .milliseconds(Int(((1 - tokens) / rate * 1000).rounded(.up)))
  }
}
