/// The intent round of a decode: when no text found for a point meets its intents (an axis
/// move the texts did not follow), a few more candidates are generated from an aim past the
/// target, moved along each missed intent by what the closest text lacked. They join the
/// pool and are ranked with the others, so the round can only add choices.
extension LatentDecoder {
  /// Candidates generated for a point in the intent round (0: no round).
  public static let intentCandidates = 4

  /// The aims of the intent round and the points they belong to: points with intents whose
  /// encoded candidates all miss them. The aim is the target plus, for each intent the
  /// closest text misses, its direction scaled so that the reading grows by the shortfall.
  func intentAims(_ targets: [[Float]], pools: [[Ranked]], intents: [[DecodeIntent]])
    -> (aims: [[Float]], owners: [Int])
  {
    var aims: [[Float]] = []
    var owners: [Int] = []
    for index in targets.indices where !intents[index].isEmpty {
      let encoded = pools[index].compactMap { candidate in
        candidate.latent.map { (latent: $0, cosine: candidate.cosine) }
      }
      let meets = encoded.contains { found in
        intents[index].allSatisfy { $0.isMet(by: found.latent) }
      }
      guard !meets, let closest = encoded.max(by: { $0.cosine < $1.cosine }) else { continue }
      var aim = targets[index]
      for intent in intents[index] where intent.direction.count == aim.count {
        let shortfall = intent.atLeast - intent.reading(closest.latent)
        let squared = VectorMath.dot(intent.direction, intent.direction)
        guard shortfall > 0, squared > 0 else { continue }
        for j in aim.indices { aim[j] += intent.direction[j] * shortfall / squared }
      }
      let normalized = LatentGeometry.normalized(aim)
      guard normalized.allSatisfy(\.isFinite) else { continue }
      aims.append(normalized)
      owners.append(index)
    }
    return (aims, owners)
  }
}
