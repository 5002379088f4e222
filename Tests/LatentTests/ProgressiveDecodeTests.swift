import Foundation
import Latent
import Testing

/// Progressive decodes: the bank's nearest sentence, then greedy text, then the final
/// ranking; the same final result as a one-pass decode when sampling is not skipped.
@Suite struct ProgressiveDecodeTests {
  @Test func stagesArriveInOrderAndTheFinalMatchesAOnePassDecode() throws {
    let pipeline = try LatentDecoderTests.pipeline(bankTexts: [
      "The cat sat on the mat.", "Stocks fell sharply.", "What a lovely evening.",
    ])
    let targets = try DecoderFixtures.targets(3)
    var stages: [[StagedText]] = [[], [], [], []]
    let progressive = pipeline.decodeProgressively(
      batch: targets + [[Float.nan]], effort: DecodeEffort(candidates: 4, enough: nil)
    ) { index, stage in stages[index].append(stage) }
    let onePass = pipeline.decode(batch: targets, candidates: 4)
    for index in targets.indices {
      #expect(stages[index].map(\.stage) == [.bank, .greedy])
      let final = try progressive[index].get()
      let reference = try onePass[index].get()
      #expect(final.text == reference.text, "sampling rows are the same rows")
      #expect(abs(final.fidelity - reference.fidelity) < 1e-4)
      #expect(final.fidelity >= stages[index][1].fidelity - 1e-5, "never worse than greedy")
      let greedyText = stages[index][1].text
      let greedyLatent = pipeline.encoder.encode(greedyText)
      #expect(abs(VectorMath.dot(greedyLatent, targets[index]) - stages[index][1].fidelity) < 1e-4)
    }
    #expect(stages[3].isEmpty, "an invalid target fails without stages")
    #expect(throws: DecoderError.self) { try progressive[3].get() }
  }

  @Test func enoughFidelitySkipsSampling() throws {
    let sentence = "Quarterly revenue grew by twelve percent in the northern region."
    let pipeline = try LatentDecoderTests.pipeline(bankTexts: [sentence, "A dog barked."])
    let target = pipeline.encoder.encode(sentence)
    var seen: [StagedText] = []
    let result = try pipeline.decodeProgressively(
      batch: [target], effort: DecodeEffort(candidates: 8, enough: 0.95)
    ) { _, stage in seen.append(stage) }[0].get()
    #expect(seen.first?.stage == .bank)
    #expect(seen.first?.text == sentence)
    #expect(result.text == sentence)
    #expect(result.fidelity > 0.999)
    #expect(
      result.runnersUp.allSatisfy { $0.source == .bank || $0.text == seen.last?.text },
      "no sampled candidate was generated")
  }

  @Test func theEffortSizesTheIntentRound() throws {
    let pipeline = try LatentDecoderTests.pipeline(bankTexts: ["A dog barked."])
    let target = try DecoderFixtures.targets(1)[0]
    // An intent no text can meet (a reading past 1 on a unit direction): the round runs.
    let direction = [Float](repeating: 1 / Float(target.count).squareRoot(), count: target.count)
    let intent = DecodeIntent(direction: direction, atLeast: 2)
    func generated(intentCandidates: Int) throws -> Int {
      let result = try pipeline.decodeProgressively(
        batch: [target], intents: [[intent]],
        effort: DecodeEffort(candidates: 1, bankCandidates: 0, intentCandidates: intentCandidates)
      ) { _, _ in }[0].get()
      return 1 + result.runnersUp.filter { $0.source == .generated }.count
    }
    #expect(try generated(intentCandidates: 0) == 1, "greedy alone: no round")
    #expect(try generated(intentCandidates: 3) > 1, "the round added texts past the target")
  }

  @Test func aDecodeReusesTheBankScanOfItsFirstStage() throws {
    let bankTexts = ["The cat sat on the mat.", "Stocks fell sharply.", "What a lovely evening."]
    let pipeline = try LatentDecoderTests.pipeline(bankTexts: bankTexts)
    let fresh = try LatentDecoderTests.pipeline(bankTexts: bankTexts)
    let targets = try DecoderFixtures.targets(3)
    let validated = try targets.map { try pipeline.decoder.validatedTarget($0) }
    // The first stages of two moves: one scan each.
    let first = pipeline.nearestBankSentences(Array(validated.prefix(2)), k: 3)
    #expect(pipeline.bankScans == 2)
    #expect(
      first.map { $0.map(\.row) }
        == fresh.nearestBankSentences(Array(validated.prefix(2)), k: 3).map { $0.map(\.row) })
    // Their decodes, with a third point: only the third is scanned.
    let decoded = pipeline.decode(batch: targets, candidates: 2)
    #expect(pipeline.bankScans == 3)
    let reference = fresh.decode(batch: targets, candidates: 2)
    for (a, b) in zip(decoded, reference) {
      #expect(try a.get().text == b.get().text)
      #expect(try abs(a.get().fidelity - b.get().fidelity) < 1e-5)
    }
    // Fewer rows come from a scan of more; more rows than remembered need a new scan.
    #expect(pipeline.nearestBankSentences([validated[0]], k: 1)[0].map(\.row) == [first[0][0].row])
    #expect(pipeline.bankScans == 3)
    _ = pipeline.nearestBankSentences([validated[0]], k: 4)
    #expect(pipeline.bankScans == 4)
  }
}
