import Foundation
import Latent
import Testing

/// The Swift encoder against sentence-transformers on ~230 varied inputs: identical token
/// ids, cosine ≥ 0.99999 and max abs difference ≤ 1e-4 per vector.
@Suite struct EncoderParityTests {
  @Test func fixturesCoverTheRequiredCases() {
    let texts = EncoderFixtures.all.map(\.text)
    #expect(texts.count >= 200)
    #expect(texts.contains(""))
    #expect(texts.contains { !$0.isEmpty && $0.allSatisfy(\.isWhitespace) })
    #expect(EncoderFixtures.all.contains { $0.ids.count == 256 }, "some input must hit truncation")
  }

  @Test func tokenIDsAreIdentical() throws {
    let encoder = try EncoderFixtures.loaded()
    var mismatches = 0
    for (index, fixture) in EncoderFixtures.all.enumerated() {
      let ids = encoder.tokenizer.encode(fixture.text)
      if ids != fixture.ids {
        mismatches += 1
        Issue.record(
          "fixture \(index) \(fixture.text.debugDescription.prefix(60)): \(ids.prefix(20)) vs \(fixture.ids.prefix(20))"
        )
      }
    }
    #expect(mismatches == 0)
  }

  @Test func embeddingsMatchSentenceTransformers() throws {
    let encoder = try EncoderFixtures.loaded()
    let vectors = encoder.encode(EncoderFixtures.all.map(\.text), batchSize: 16)
    var worstCosine: Float = 1
    var worstDiff: Float = 0
    for (index, (fixture, vector)) in zip(EncoderFixtures.all, vectors).enumerated() {
      let reference = fixture.vector
      let cosine = VectorMath.cosine(vector, reference)
      let diff = zip(vector, reference).map { abs($0 - $1) }.max() ?? 0
      worstCosine = min(worstCosine, cosine)
      worstDiff = max(worstDiff, diff)
      if cosine < 0.99999 || diff > 1e-4 {
        Issue.record(
          "fixture \(index) \(fixture.text.debugDescription.prefix(60)): cosine \(cosine), max diff \(diff)"
        )
      }
    }
    print("encoder parity: worst cosine \(worstCosine), worst max abs diff \(worstDiff)")
  }

  @Test func batchedEqualsOneByOne() throws {
    let encoder = try EncoderFixtures.loaded()
    let texts = Array(EncoderFixtures.all.map(\.text).prefix(24))
    let batched = encoder.encode(texts, batchSize: 8, threads: 2)
    for (text, vector) in zip(texts, batched) {
      let single = encoder.encode(text)
      #expect(zip(single, vector).allSatisfy { abs($0 - $1) <= 1e-5 }, "\(text.debugDescription)")
    }
  }

  @Test func twoThreadsGiveTheSameVectors() throws {
    let encoder = try EncoderFixtures.loaded()
    for text in EncoderFixtures.all.map(\.text).prefix(20) {
      let one = encoder.encode(text)
      let two = encoder.encode(text, threads: 2)
      #expect(zip(one, two).allSatisfy { abs($0 - $1) <= 1e-6 }, "\(text.debugDescription)")
    }
  }

  @Test func outputIsUnitLength() throws {
    let encoder = try EncoderFixtures.loaded()
    for text in ["", "hello", String(repeating: "long text ", count: 100)] {
      let vector = encoder.encode(text)
      #expect(vector.count == 384)
      #expect(abs(VectorMath.norm(vector) - 1) < 1e-5)
    }
  }
}
