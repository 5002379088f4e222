import Dispatch
import Foundation
import Latent
import Testing

/// The decode pipeline: re-ranking, honest fidelity, bank candidates, thread safety.
@Suite struct LatentDecoderTests {
  static func pipeline(bankTexts: [String]) throws -> LatentDecoder {
    let encoder = try EncoderFixtures.loaded()
    let bank = SentenceBank(
      texts: bankTexts, vectors: encoder.encode(bankTexts), encoder: encoder.name, source: "test")
    return try LatentDecoder(encoder: encoder, decoder: try DecoderFixtures.loaded(), bank: bank)
  }

  @Test func fidelityIsTheCosineOfTheChosenText() throws {
    let pipeline = try Self.pipeline(bankTexts: ["The cat sat on the mat.", "Stocks fell sharply."])
    let target = pipeline.encoder.encode("The weather was cold and grey all week.")
    let result = try pipeline.decode(target, candidates: 4)
    let latent = pipeline.encoder.encode(result.text)
    #expect(zip(latent, result.textLatent).allSatisfy { abs($0 - $1) < 1e-5 })
    #expect(abs(VectorMath.dot(latent, target) - result.fidelity) < 1e-4)
    #expect(result.runnersUp.count <= 3)
    #expect(result.runnersUp.allSatisfy { $0.cosine <= result.fidelity })
    #expect(
      zip(result.runnersUp, result.runnersUp.dropFirst()).allSatisfy { $0.cosine >= $1.cosine })
  }

  @Test func anExactBankSentenceWins() throws {
    let sentence = "Quarterly revenue grew by twelve percent in the northern region."
    let pipeline = try Self.pipeline(bankTexts: [sentence, "A dog barked."])
    let result = try pipeline.decode(pipeline.encoder.encode(sentence), candidates: 2)
    #expect(result.text == sentence)
    #expect(result.source == .bank)
    #expect(result.fidelity > 0.999)
  }

  @Test func samePointSameText() throws {
    let pipeline = try Self.pipeline(bankTexts: ["Hello there."])
    let target = pipeline.encoder.encode("I absolutely loved this movie.")
    #expect(try pipeline.decode(target) == pipeline.decode(target))
  }

  @Test func concurrentDecodesMatchSequentialOnes() throws {
    let pipeline = try Self.pipeline(bankTexts: ["Hello there.", "Goodbye."])
    let targets = try DecoderFixtures.targets(4)
    let sequential = try targets.map { try pipeline.decode($0, candidates: 3) }
    let lock = NSLock()
    nonisolated(unsafe) var concurrent = [DecodeResult?](repeating: nil, count: 4)
    DispatchQueue.concurrentPerform(iterations: 4) { index in
      let result = try? pipeline.decode(targets[index], candidates: 3)
      lock.lock()
      concurrent[index] = result
      lock.unlock()
    }
    #expect(concurrent == sequential.map { $0 })
  }

  @Test func batchedDecodesMatchSingleOnes() throws {
    let pipeline = try Self.pipeline(bankTexts: ["Hello there.", "Goodbye."])
    let targets = try DecoderFixtures.targets(4)
    let single = try targets.map { try pipeline.decode($0, candidates: 3) }
    let batched = pipeline.decode(batch: targets + [[1, 2]], candidates: 3)
    #expect(batched.count == 5)
    for (one, many) in zip(single, batched) {
      let result = try many.get()
      #expect(result.text == one.text)
      #expect(abs(result.fidelity - one.fidelity) < 1e-4)
    }
    #expect(throws: DecoderError.self) { try batched[4].get() }
  }

  @Test func badTargetsAreErrorsNotCrashes() throws {
    let pipeline = try Self.pipeline(bankTexts: ["Hello there."])
    #expect(throws: DecoderError.self) { try pipeline.decode([Float](repeating: .nan, count: 384)) }
    #expect(throws: DecoderError.self) { try pipeline.decode([1, 2]) }
  }

  @Test func aBankForAnotherEncoderIsRefused() throws {
    let bank = SentenceBank(
      texts: ["x"], vectors: [[1, 0]], encoder: "other-model", source: "test")
    #expect(throws: DecoderError.self) {
      try LatentDecoder(
        encoder: try EncoderFixtures.loaded(), decoder: try DecoderFixtures.loaded(), bank: bank)
    }
  }
}
