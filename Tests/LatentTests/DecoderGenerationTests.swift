import Foundation
import Latent
import Testing

/// Generation on the KV cache: batching, seeding, constraints, beam search, bad input.
@Suite struct DecoderGenerationTests {
  @Test func batchedGreedyEqualsOneByOne() throws {
    let decoder = try DecoderFixtures.loaded()
    let targets = try DecoderFixtures.targets(4)
    let batched = decoder.greedy(targets)
    for (target, tokens) in zip(targets, batched) {
      #expect(decoder.greedy([target])[0] == tokens)
    }
  }

  @Test func candidatesAreSeededAndStartWithGreedy() throws {
    let decoder = try DecoderFixtures.loaded()
    let target = try DecoderFixtures.targets(1)[0]
    let first = decoder.candidates(for: target, count: 6, seed: 42)
    #expect(first.count == 6)
    #expect(first == decoder.candidates(for: target, count: 6, seed: 42))
    #expect(first[0] == decoder.greedy([target])[0])
    #expect(first != decoder.candidates(for: target, count: 6, seed: 43))
    #expect(Set(first.map { $0 }).count > 1, "samples should differ from each other")
  }

  @Test func outputsRespectTheConstraints() throws {
    let decoder = try DecoderFixtures.loaded()
    let banned = Set(["[PAD]", "[UNK]", "[CLS]", "[SEP]"])
    for target in try DecoderFixtures.targets(6) {
      for tokens in decoder.candidates(for: target, count: 8, seed: 7) {
        #expect(tokens.count <= decoder.config.maxLength)
        #expect(!tokens.contains { banned.contains(decoder.vocabulary[Int($0)]) })
        for i in tokens.indices.dropFirst(2) {
          #expect(!(tokens[i] == tokens[i - 1] && tokens[i] == tokens[i - 2]), "triple repeat")
        }
      }
    }
  }

  @Test func generationStopsWhenAskedTo() throws {
    let decoder = try DecoderFixtures.loaded()
    let targets = try DecoderFixtures.targets(2)
    nonisolated(unsafe) var steps = 0
    let stopped = decoder.candidates(
      for: targets, count: 3, seeds: [1, 2],
      shouldStop: {
        steps += 1
        return steps > 2
      })
    #expect(stopped.count == 2)
    #expect(stopped.allSatisfy { $0.count == 3 && $0.allSatisfy { $0.count <= 2 } })
    let full = decoder.candidates(for: targets, count: 3, seeds: [1, 2])
    #expect(full[0][0] == decoder.greedy([targets[0]])[0])
  }

  @Test func offManifoldPointsStillDecode() throws {
    let decoder = try DecoderFixtures.loaded()
    var generator = SplitMix64(seed: 5)
    for _ in 0..<3 {
      let random = (0..<decoder.config.hiddenSize).map { _ in generator.nextGaussian() }
      let tokens = decoder.greedy([try decoder.validatedTarget(random)])[0]
      #expect(!decoder.text(tokens).isEmpty)
    }
  }

  @Test func beamOfWidthOneIsGreedy() throws {
    let decoder = try DecoderFixtures.loaded()
    for target in try DecoderFixtures.targets(3) {
      #expect(decoder.beamSearch(target, width: 1) == decoder.greedy([target])[0])
      #expect(!decoder.beamSearch(target, width: 4).isEmpty)
    }
  }

  @Test func badTargetsAreRefused() throws {
    let decoder = try DecoderFixtures.loaded()
    let d = decoder.config.hiddenSize
    #expect(throws: DecoderError.self) { try decoder.validatedTarget([1, 2, 3]) }
    #expect(throws: DecoderError.self) {
      try decoder.validatedTarget([Float](repeating: 0, count: d))
    }
    var withNaN = [Float](repeating: 0.1, count: d)
    withNaN[7] = .nan
    #expect(throws: DecoderError.self) { try decoder.validatedTarget(withNaN) }
    let scaled = try decoder.validatedTarget([Float](repeating: 3, count: d))
    #expect(abs(VectorMath.norm(scaled) - 1) < 1e-5)
  }

  @Test func loadingErrorsNameTheProblem() throws {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("decoder-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    #expect(throws: DecoderError.missingFile(folder.appendingPathComponent("config.json").path)) {
      try TextDecoder(directory: folder.path)
    }
    let source = URL(fileURLWithPath: DecoderFixtures.directory)
    try Data("{\"model_type\": \"gpt\"}".utf8).write(
      to: folder.appendingPathComponent("config.json"))
    #expect {
      try TextDecoder(directory: folder.path)
    } throws: { error in
      guard case .badConfig = error as? DecoderError else { return false }
      return true
    }
    try FileManager.default.removeItem(at: folder.appendingPathComponent("config.json"))
    try FileManager.default.copyItem(
      at: source.appendingPathComponent("config.json"),
      to: folder.appendingPathComponent("config.json"))
    try Data("[PAD]\n[SEP]\n".utf8).write(to: folder.appendingPathComponent("vocab.txt"))
    #expect {
      try TextDecoder(directory: folder.path)
    } throws: { error in
      guard case .badVocabulary = error as? DecoderError else { return false }
      return true
    }
  }

  @Test func decoderMustMatchTheEncoder() throws {
    let decoder = try DecoderFixtures.loaded()
    try decoder.checkMatches(try EncoderFixtures.loaded())
    #expect(decoder.config.encoder == "all-MiniLM-L6-v2")
  }
}
