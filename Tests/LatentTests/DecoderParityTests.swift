import Foundation
import Latent
import Testing

/// The Swift decoder against PyTorch (python/latitude_tools/train/generation.py) on committed fixtures:
/// teacher-forced logits within 1e-3, the same greedy tokens, the same detokenized text,
/// on every matrix kernel this machine runs.
@Suite struct DecoderParityTests {
  @Test(arguments: DecoderFixtures.kernels) func logitsMatchPyTorch(kernel: DecoderKernel) throws {
    let decoder = try DecoderFixtures.loaded(kernel: kernel)
    #expect(decoder.kernel == kernel)
    var worst: Float = 0
    for fixture in DecoderFixtures.file.cases {
      let rows = decoder.logits(target: fixture.target, tokens: fixture.forced_tokens)
      let reference = fixture.logits
      let vocab = decoder.config.vocabSize
      #expect(rows.count == fixture.steps)
      #expect(reference.count == fixture.steps * vocab)
      for (step, row) in rows.enumerated() {
        let diff = zip(row, reference[step * vocab..<(step + 1) * vocab]).map { abs($0 - $1) }
          .max()!
        worst = max(worst, diff)
        #expect(diff <= 1e-3, "\(fixture.text) step \(step): max abs diff \(diff)")
      }
    }
    print("decoder parity (\(kernel.rawValue)): worst max abs logit diff \(worst)")
  }

  @Test(arguments: DecoderFixtures.kernels)
  func greedyTokensAndTextMatchPyTorch(kernel: DecoderKernel) throws {
    let decoder = try DecoderFixtures.loaded(kernel: kernel)
    let cases = DecoderFixtures.file.cases
    let generated = decoder.greedy(cases.map(\.target))
    for (fixture, tokens) in zip(cases, generated) {
      #expect(tokens == fixture.greedy_tokens, "\(fixture.text)")
      #expect(decoder.text(tokens) == fixture.greedy_text)
    }
  }

  @Test func detokenizerMatchesTheReference() {
    let cases = DecoderFixtures.file.detokenize
    #expect(cases.count >= 40)
    for fixture in cases {
      #expect(Detokenizer.text(fixture.pieces) == fixture.text, "\(fixture.pieces)")
    }
  }

  @Test func detokenizerSpacingRules() {
    #expect(
      Detokenizer.text(["i", "don", "'", "t", "like", "it", ",", "do", "you", "?"])
        == "I don't like it, do you?")
    #expect(
      Detokenizer.text(["a", "well", "-", "known", "(", "old", ")", "tale", "."])
        == "A well-known (old) tale.")
    #expect(Detokenizer.text(["he", "said", "\"", "go", "\"", "."]) == "He said \"go\".")
    #expect(Detokenizer.text(["un", "##believ", "##able"]) == "Unbelievable")
    #expect(Detokenizer.text([]) == "")
  }
}
