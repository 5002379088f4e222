/// Iterative correction of a decode: the decoder lands near, not on, its target, and it
/// tends to miss in a consistent direction. After the first ranking, a point whose best
/// text is below `until` is decoded again from an aim pushed past the target, away from
/// where the last texts landed: aim ← normalize(aim + strength · (target − achieved)), where
/// achieved is the embedding of the best text generated from the previous aim. Every text
/// found on the way joins the point's candidates, and all are ranked by cosine to the
/// original target, so a round can only add candidates, never lower the fidelity.
public struct DecodeCorrection: Sendable, Hashable {
  /// Correction rounds after the first decode (0 turns it off).
  public var steps: Int
  /// How far past the target each round aims (α).
  public var strength: Float
  /// Generated candidates per round (greedy plus seeded samples).
  public var candidates: Int
  /// A point whose best text reaches this fidelity is left as it is.
  public var until: Float

  /// No correction.
  public static let off = DecodeCorrection(steps: 0)

  /// The best policy for its time measured on the validation split: two greedy rounds at
  /// α = 0.25 (Weights/decoder/latitude-prefix-v2/README.md, "Iterative correction"). Not
  /// the default: with this decoder it buys little fidelity for its time.
  public static let measured = DecodeCorrection(steps: 2, strength: 0.25, candidates: 1)

  /// Makes a correction policy.
  public init(steps: Int, strength: Float = 1, candidates: Int = 4, until: Float = 0.95) {
    self.steps = max(0, steps)
    self.strength = strength
    self.candidates = max(1, candidates)
    self.until = until
  }
}

extension DecodeCorrection {
  /// The next aim: `aim + strength · (target − landed)`, renormalised; nil when that
  /// vanishes. All three are unit vectors of one length.
  public func nextAim(_ aim: [Float], target: [Float], landed: [Float]) -> [Float]? {
    precondition(aim.count == target.count && landed.count == target.count)
    var next = aim
    for i in next.indices { next[i] += strength * (target[i] - landed[i]) }
    guard VectorMath.norm(next) > 1e-6 else { return nil }
    return LatentGeometry.normalized(next)
  }
}

extension LatentDecoder {
  /// Runs `correction`'s rounds over ranked pools (every generated candidate encoded).
  /// `generate(aims, owners, seeds, count)` generates `count` candidates for each aim,
  /// adds the new texts to its owner's pool (`pools()` reads them) and encodes them.
  func correct(
    _ targets: [[Float]], pools: () -> [[Ranked]], seeds: [UInt64],
    correction: DecodeCorrection, shouldStop: () -> Bool,
    generate: (_ aims: [[Float]], _ owners: [Int], _ seeds: [UInt64], _ count: Int) -> Void
  ) {
    guard correction.steps > 0 else { return }
    var aims = targets
    // The embedding of the best text generated from each point's current aim.
    var achieved: [[Float]?] = pools().map { pool in
      pool.filter { $0.source == .generated && $0.latent != nil }.max { $0.cosine < $1.cosine }?
        .latent
    }
    for step in 1...correction.steps {
      if shouldStop() { return }
      let current = pools()
      var owners: [Int] = []
      for index in targets.indices {
        let best = current[index].map(\.cosine).max() ?? -2
        guard best < correction.until, let landed = achieved[index],
          let aim = correction.nextAim(aims[index], target: targets[index], landed: landed)
        else { continue }
        aims[index] = aim
        owners.append(index)
      }
      guard !owners.isEmpty else { return }
      let before = current.map(\.count)
      generate(
        owners.map { aims[$0] }, owners,
        owners.map { seeds[$0] &+ UInt64(step) &* 0x9E37_79B9_7F4A_7C15 }, correction.candidates)
      let after = pools()
      for index in owners {
        let fresh = after[index][before[index]...].filter { $0.latent != nil }
        // What this aim produced; if every text was already known, the aim's greedy
        // repeats an earlier text: keep the last landing point.
        if let landed = fresh.max(by: { $0.cosine < $1.cosine })?.latent {
          achieved[index] = landed
        }
      }
    }
  }
}
