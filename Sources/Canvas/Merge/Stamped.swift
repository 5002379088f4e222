/// A value with the id of the op that wrote it: one last-writer-wins register.
public struct Stamped<Value: Hashable & Sendable>: Hashable, Sendable {
  /// The op that wrote the value.
  public var stamp: OpID
  /// The value.
  public var value: Value

  /// Makes a stamped value.
  public init(_ value: Value, at stamp: OpID) {
    self.stamp = stamp
    self.value = value
  }
}

extension Optional {
  /// Keeps whichever of the current and the candidate register value has the larger stamp.
  /// Commutative, associative and idempotent, so any delivery order gives the same value.
  mutating func mergeLastWriter<V>(_ candidate: Stamped<V>) where Wrapped == Stamped<V> {
    if let current = self, current.stamp >= candidate.stamp { return }
    self = candidate
  }
}
