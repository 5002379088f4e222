import Foundation
import Testing

@testable import Latent

/// The intent round's aims: only for points whose texts all miss their intents, past the
/// target by what the closest text lacked.
@Suite struct IntentRoundTests {
  static let pipeline: LatentDecoder? = {
    guard let encoder = try? EncoderFixtures.loaded(), let decoder = try? DecoderFixtures.loaded()
    else { return nil }
    return try? LatentDecoder(encoder: encoder, decoder: decoder, bank: nil)
  }()

  static func candidate(_ latent: [Float], cosine: Float) -> LatentDecoder.Ranked {
    LatentDecoder.Ranked(text: "t", source: .generated, cosine: cosine, latent: latent)
  }

  @Test func aimsGoPastTheTargetOnlyWhereEveryTextMissed() throws {
    let pipeline = try #require(Self.pipeline)
    let target = LatentGeometry.normalized([0.6, 0.8, 0, 0])
    let intent = DecodeIntent(direction: [1, 0, 0, 0], atLeast: 0.5)
    let missed = [
      Self.candidate([0.2, 0.9, 0.1, 0], cosine: 0.9),
      Self.candidate([0.4, 0, 0.9, 0], cosine: 0.3),
    ]
    let met = missed + [Self.candidate([0.7, 0.7, 0, 0], cosine: 0.8)]
    let round = pipeline.intentAims(
      [target, target, target], pools: [missed, met, missed], intents: [[intent], [intent], []])
    #expect(round.owners == [0], "a point with a text that meets it, or with no intent, gets none")
    let aim = try #require(round.aims.first)
    // The closest text (cosine 0.9) read 0.2: the aim's reading grows by 0.3 before it is
    // normalised back to unit length.
    let expected = LatentGeometry.normalized([0.9, 0.8, 0, 0])
    #expect(zip(aim, expected).allSatisfy { abs($0 - $1) < 1e-5 }, "\(aim)")
  }
}
