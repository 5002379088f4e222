import Foundation
import Latent
import Testing

/// Decode intents: what an axis move or a feature steer asks of the decoded text, and how
/// ranking prefers texts that do it.
@Suite struct DecodeIntentTests {
  static let axis: [Float] = [1, 0, 0]

  static func point(_ projection: Float) -> [Float] { [projection, 0.5, 0.5] }

  @Test func anAxisMoveAsksForAShareOfTheChangeTheWayItWent() throws {
    let up = try #require(DecodeIntent.axisMove(direction: Self.axis, from: 0.1, to: 0.5))
    #expect(up.isMet(by: Self.point(0.3)) && up.isMet(by: Self.point(0.9)))
    #expect(!up.isMet(by: Self.point(0.29)) && !up.isMet(by: Self.point(-0.2)))
    let down = try #require(DecodeIntent.axisMove(direction: Self.axis, from: 0.5, to: 0.1))
    #expect(down.isMet(by: Self.point(0.3)) && down.isMet(by: Self.point(-0.4)))
    #expect(!down.isMet(by: Self.point(0.31)))
    let most = try #require(
      DecodeIntent.axisMove(direction: Self.axis, from: 0, to: 1, share: 0.8))
    #expect(most.isMet(by: Self.point(0.8)) && !most.isMet(by: Self.point(0.79)))
    #expect(!up.isMet(by: [0.3, 0.5]), "a wrong-length embedding never meets an intent")
    #expect(up.reading([0.3, 0.5]) == -.infinity)
  }

  @Test func unreadableMovesAskNothing() {
    #expect(DecodeIntent.axisMove(direction: Self.axis, from: 0.2, to: 0.201) == nil)
    #expect(DecodeIntent.axisMove(direction: Self.axis, from: .nan, to: 0.5) == nil)
    #expect(DecodeIntent.axisMove(direction: Self.axis, from: 0, to: .infinity) == nil)
  }

  @Test func aConfiguredMarginReplacesEveryFavourAndZeroDropsThem() throws {
    let up = try #require(DecodeIntent.axisMove(direction: Self.axis, from: 0.1, to: 0.5))
    #expect(DecodeIntent.weighted([up, up], favour: 0.3).map(\.favour) == [0.3, 0.3])
    #expect(DecodeIntent.weighted([up], favour: 0.3).first?.atLeast == up.atLeast)
    for plain: Float in [0, -0.1, .nan, .infinity] {
      #expect(DecodeIntent.weighted([up], favour: plain).isEmpty, "favour \(plain)")
    }
  }

  @Test func aFeatureIntentReadsThePreActivation() throws {
    let sae = try FeatureDictionaryTests.tiny(k: 2)
    let latent: [Float] = LatentGeometry.normalized([0.9, 0.3, -0.2, 0.1])
    let code = try sae.encode(latent)
    for feature in code.indices {
      let intent = try sae.intent(feature: feature, atLeast: 0)
      #expect(abs(intent.reading(latent) - code.activation(of: feature)) < 1e-5)
    }
    #expect(throws: FeatureError.self) { try sae.intent(feature: 99, atLeast: 1) }
  }

  /// Two bank sentences; the target is the first's embedding. An intent that only the
  /// second meets lifts it above the first when its favour exceeds the cosine gap, and the
  /// reported fidelity stays the plain cosine.
  @Test func rankingPrefersATextThatMeetsTheIntentWhenNearlyAsClose() throws {
    let encoder = try EncoderFixtures.loaded()
    let (near, asked) = (
      "The film was dull and far too long.", "The film was wonderful and moving."
    )
    let texts = [near, asked]
    let bank = SentenceBank(
      texts: texts, vectors: encoder.encode(texts), encoder: encoder.name, source: "test")
    let pipeline = try LatentDecoder(
      encoder: encoder, decoder: try DecoderFixtures.loaded(), bank: bank)
    let target = encoder.encode(near)
    let other = encoder.encode(asked)
    let direction = LatentGeometry.normalized(zip(other, target).map { $0 - $1 })
    let midway = (VectorMath.dot(other, direction) + VectorMath.dot(target, direction)) / 2
    let gap = 1 - VectorMath.dot(other, target)
    func decoded(favour: Float) throws -> DecodeResult {
      let intent = DecodeIntent(direction: direction, atLeast: midway, favour: favour)
      return try pipeline.decode(target, candidates: 1, bankCandidates: 2, intents: [intent])
    }
    #expect(try pipeline.decode(target, candidates: 1, bankCandidates: 2).text == near)
    #expect(try decoded(favour: gap / 4).text == near, "a small favour does not beat the gap")
    let lifted = try decoded(favour: gap * 1.5)
    #expect(lifted.text != near, "the text that meets the intent wins: \(lifted.text)")
    #expect(abs(lifted.fidelity - VectorMath.dot(encoder.encode(lifted.text), target)) < 1e-4)
    #expect(VectorMath.dot(encoder.encode(lifted.text), direction) >= midway)
  }
}
