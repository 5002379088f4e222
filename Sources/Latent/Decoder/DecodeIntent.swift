/// What a decode is for beyond closeness to its point: a reading of the decoded text's
/// embedding that the edit asked for. A drag along an axis asks that the text's coordinate
/// move the intended way (by a share of the intended change); a feature steer asks that the
/// feature fire. Reading = direction · embedding + offset; the intent is met when the
/// reading is at least `atLeast`.
///
/// Ranking uses it as a tie-breaker with a bound: a candidate that meets every intent of
/// its point ranks as if its score were `favour` higher (the least favour of its intents)
/// than one that does not, so it wins over a closer text that ignores the edit only when
/// it is nearly as close. Fidelity is still the plain cosine.
public struct DecodeIntent: Sendable, Hashable {
  /// The reading's direction (unit length for an axis; a feature's encoder row).
  public var direction: [Float]
  /// Added to the dot product (a feature's pre-activation bias).
  public var offset: Float
  /// The least reading that meets the intent.
  public var atLeast: Float
  /// How much ranking favours a text that meets it, in cosine units.
  public var favour: Float

  /// An intent on `direction · x + offset ≥ atLeast`.
  public init(direction: [Float], offset: Float = 0, atLeast: Float, favour: Float = margin) {
    self.direction = direction
    self.offset = offset
    self.atLeast = atLeast
    self.favour = favour
  }

  /// How much ranking favours texts that meet their intents by default (cosine units): the
  /// largest of 0.03 / 0.05 / 0.1 / 0.2 that lost at most 0.02 of mean fidelity on axis moves
  /// of validation sentences (`latitude-bench eval-steer --sentences
  /// Weights/train/data/validation.txt --count 30 --intent-margin M`; the decoder card has
  /// the table).
  public static let margin: Float = 0.1
  /// The share of an axis move's intended change that the text must show to meet it.
  public static let axisShare: Float = 0.5

  /// The intent of moving a point along a unit `direction` from projection `from` to
  /// projection `to`: the text's projection must go at least `share` of the way. Nil for a
  /// move too small to read (under 0.005 in projection) or with a non-finite end.
  public static func axisMove(
    direction: [Float], from: Float, to: Float, share: Float = axisShare, favour: Float = margin
  ) -> DecodeIntent? {
    let change = to - from
    guard from.isFinite, to.isFinite, abs(change) >= 0.005 else { return nil }
    let sign: Float = change > 0 ? 1 : -1
    return DecodeIntent(
      direction: direction.map { sign * $0 }, atLeast: sign * (from + share * change),
      favour: favour)
  }

  /// `intents` with each favour replaced by `favour` (a server's configured margin); none
  /// when `favour` is 0 or not finite and positive, which ranks by closeness alone.
  public static func weighted(_ intents: [DecodeIntent], favour: Float) -> [DecodeIntent] {
    guard favour.isFinite, favour > 0 else { return [] }
    return intents.map {
      var intent = $0
      intent.favour = favour
      return intent
    }
  }

  /// The favour a text meeting every one of `intents` gets (0 when there are none).
  static func favour(_ intents: [DecodeIntent]) -> Float {
    intents.map(\.favour).min() ?? 0
  }

  /// The reading of an embedding; −∞ for one of the wrong length (checked before BLAS
  /// sees it).
  public func reading(_ latent: [Float]) -> Float {
    guard direction.count == latent.count else { return -.infinity }
    return VectorMath.dot(direction, latent) + offset
  }

  /// Whether an embedding meets the intent (a wrong-length one never does).
  public func isMet(by latent: [Float]) -> Bool { reading(latent) >= atLeast }
}
