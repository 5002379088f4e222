import Latent
import Testing

/// Iterative correction: the aim moves away from where texts landed, a round can only add
/// candidates (never lower the fidelity), and a point already good enough is left alone.
@Suite struct DecodeCorrectionTests {
  @Test func theAimMovesPastTheTargetAwayFromTheLanding() throws {
    let target: [Float] = [1, 0, 0]
    let landed = LatentGeometry.normalized([1, 1, 0])
    let policy = DecodeCorrection(steps: 1, strength: 1)
    let aim = try #require(policy.nextAim(target, target: target, landed: landed))
    #expect(abs(VectorMath.norm(aim) - 1) < 1e-6)
    #expect(aim[1] < 0)  // away from the landing's error
    #expect(aim[0] > 0.7)
    // A text on the target leaves the aim where it is.
    #expect(policy.nextAim(target, target: target, landed: target) == target)
    // An aim that cancels out is refused, not divided by zero.
    #expect(
      DecodeCorrection(steps: 1, strength: 0.5).nextAim(
        [-1, 0, 0], target: [1, 0, 0], landed: [-1, 0, 0]) == nil)
  }

  @Test func aRoundNeverLowersFidelityAndKeepsItsTexts() throws {
    let pipeline = try LatentDecoderTests.pipeline(bankTexts: ["Hello there."])
    let corrected = DecodeCorrection(steps: 2, strength: 1, candidates: 2, until: 1.01)
    for target in try DecoderFixtures.targets(3) {
      let plain = try pipeline.decode(batch: [target], candidates: 2, correction: .off)[0].get()
      let better = try pipeline.decode(batch: [target], candidates: 2, correction: corrected)[0]
        .get()
      #expect(better.fidelity >= plain.fidelity - 1e-5)
      // The fidelity is still the chosen text's own cosine to the original target.
      let latent = pipeline.encoder.encode(better.text)
      #expect(abs(VectorMath.dot(latent, target) - better.fidelity) < 1e-4)
      // The same call gives the same text.
      #expect(
        try pipeline.decode(batch: [target], candidates: 2, correction: corrected)[0].get()
          == better)
    }
  }

  @Test func aPointAlreadyGoodEnoughIsNotCorrected() throws {
    let pipeline = try LatentDecoderTests.pipeline(bankTexts: ["Hello there."])
    let target = try DecoderFixtures.targets(1)[0]
    let plain = try pipeline.decode(batch: [target], candidates: 2, correction: .off)[0].get()
    let untouched = DecodeCorrection(steps: 3, strength: 1, candidates: 2, until: -1)
    #expect(
      try pipeline.decode(batch: [target], candidates: 2, correction: untouched)[0].get() == plain)
  }
}
