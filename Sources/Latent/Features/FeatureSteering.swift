/// How a steering edit moves the latent.
public enum SteerEdit: String, Sendable, CaseIterable, Codable {
  /// Adds (target − current activation) × the feature's direction, then renormalises
  /// (Prism's edit).
  case translate
  /// The smallest move of the latent (on the unit sphere) after which the encoder reads the
  /// wanted activation for the feature and the other active features keep theirs; repeated
  /// until the SAE agrees (or 8 rounds).
  case optimize
}

/// The result of steering one latent.
public struct SteerResult: Sendable, Hashable {
  /// The new unit-length latent.
  public var latent: [Float]
  /// The feature's activation before.
  public var before: Float
  /// Its activation after (as the SAE reads the new latent).
  public var after: Float
  /// The activation asked for.
  public var target: Float
  /// Rounds of the optimising edit (1 for translate).
  public var rounds: Int
}

extension SparseAutoencoder {
  /// Moves `latent` so that `feature` reads `target` (≥ 0), by `edit`.
  /// - Throws: `FeatureError` for an unknown feature or a bad vector.
  public func steer(_ latent: [Float], feature: Int, target: Float, edit: SteerEdit)
    throws(FeatureError) -> SteerResult
  {
    try check(latent)
    guard (0..<features).contains(feature) else { throw .unknownFeature(feature) }
    guard target.isFinite, target >= 0 else { throw .badVector("target must be ≥ 0 and finite") }
    let start = try encode(latent)
    let before = start.activation(of: feature)
    switch edit {
    case .translate:
      let direction = try self.direction(feature)
      var moved = latent
      for j in 0..<dimension { moved[j] += (target - before) * direction[j] }
      let result = LatentGeometry.normalized(moved)
      return SteerResult(
        latent: result, before: before, after: try encode(result).activation(of: feature),
        target: target, rounds: 1)
    case .optimize:
      return try optimise(latent, start: start, feature: feature, target: target)
    }
  }

  private func optimise(_ latent: [Float], start: SparseCode, feature: Int, target: Float)
    throws(FeatureError) -> SteerResult
  {
    var kept = Dictionary(uniqueKeysWithValues: zip(start.indices, start.values))
    kept[feature] = nil
    let set = [feature] + kept.keys.sorted()
    // Turning a feature off aims a little below zero so that ReLU reads 0.
    var goal = target > 0 ? target : -0.02
    var x = latent
    var after = start.activation(of: feature)
    var rounds = 0
    while rounds < 8 {
      rounds += 1
      var wanted = set.map { kept[$0] ?? 0 }
      wanted[0] = goal
      x = LatentGeometry.normalized(minimalMove(x, rows: set, wanted: wanted))
      after = try encode(x).activation(of: feature)
      let tolerance = max(0.02, 0.05 * target)
      if abs(after - target) <= tolerance { break }
      goal += target - after
    }
    return SteerResult(
      latent: x, before: start.activation(of: feature), after: after, target: target, rounds: rounds
    )
  }

  /// x + Δ with the least ‖Δ‖ such that the pre-activations of `rows` equal `wanted`:
  /// Δ = Wᵀ (W Wᵀ + εI)⁻¹ (wanted − pre(x)).
  private func minimalMove(_ x: [Float], rows: [Int], wanted: [Float]) -> [Float] {
    let n = rows.count
    let centred = (0..<dimension).map { Double(x[$0] - decoderBias[$0]) }
    let matrix = rows.map { row in encoderRow(row).map(Double.init) }
    var residual = (0..<n).map { i in
      Double(wanted[i])
        - (zip(matrix[i], centred).reduce(0) { $0 + $1.0 * $1.1 }
          + Double(encoderBias[rows[i]]))
    }
    var gram = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
      for j in i..<n {
        let value = zip(matrix[i], matrix[j]).reduce(0) { $0 + $1.0 * $1.1 }
        gram[i * n + j] = value
        gram[j * n + i] = value
      }
    }
    let ridge = 1e-4 * (0..<n).reduce(0) { $0 + gram[$1 * n + $1] } / Double(n)
    for i in 0..<n { gram[i * n + i] += ridge }
    guard LinearSolver.solvePositiveDefinite(&gram, &residual, dimension: n) else { return x }
    var moved = x
    for i in 0..<n {
      let weight = Float(residual[i])
      for j in 0..<dimension { moved[j] += weight * Float(matrix[i][j]) }
    }
    return moved
  }
}

extension SparseAutoencoder {
  /// The decode intent of steering `feature` on: the decoded text's pre-activation for it
  /// (linear in the embedding) at least `atLeast`, e.g. the feature's median active value.
  /// - Throws: `FeatureError.unknownFeature`.
  public func intent(feature: Int, atLeast: Float, favour: Float = DecodeIntent.margin)
    throws(FeatureError) -> DecodeIntent
  {
    guard (0..<features).contains(feature) else { throw .unknownFeature(feature) }
    let row = Array(encoderRow(feature))
    let offset = encoderBias[feature] - VectorMath.dot(row, decoderBias)
    return DecodeIntent(direction: row, offset: offset, atLeast: atLeast, favour: favour)
  }
}
