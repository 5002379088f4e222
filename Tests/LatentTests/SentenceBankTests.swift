import Crypto
import Foundation
import Latent
import Testing

/// The int8 sentence bank: file round trip, nearest-neighbour scan, bad files, and that the
/// committed bank holds train-split sentences only.
@Suite struct SentenceBankTests {
  static func smallBank() -> SentenceBank {
    var generator = SplitMix64(seed: 3)
    let vectors = (0..<300).map { _ -> [Float] in
      let v = (0..<384).map { _ in generator.nextGaussian() }
      let norm = VectorMath.norm(v)
      return v.map { $0 / norm }
    }
    return SentenceBank(
      texts: (0..<300).map { "sentence \($0) é" }, vectors: vectors, encoder: "all-MiniLM-L6-v2",
      source: "test")
  }

  @Test func fileRoundTripAndNearest() throws {
    let bank = Self.smallBank()
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID()).bank").path
    try bank.serialized().write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let loaded = try SentenceBank(contentsOf: path)
    #expect(loaded.header == bank.header)
    #expect(loaded.texts == bank.texts)
    var generator = SplitMix64(seed: 3)
    let first = (0..<384).map { _ in generator.nextGaussian() }
    let unit = first.map { $0 / VectorMath.norm(first) }
    let hits = loaded.nearest(to: unit, k: 3)
    #expect(hits.count == 3)
    #expect(hits[0].row == 0)
    #expect(abs(hits[0].cosine - 1) < 0.01)
    #expect(hits[0].cosine >= hits[1].cosine && hits[1].cosine >= hits[2].cosine)
  }

  @Test func oneScanForSeveralTargetsFindsWhatOneScanEachFinds() {
    let bank = Self.smallBank()
    var generator = SplitMix64(seed: 11)
    var targets = (0..<7).map { _ -> [Float] in
      let v = (0..<384).map { _ in generator.nextGaussian() }
      return v.map { $0 / VectorMath.norm(v) }
    }
    targets.insert([1, 0, 0], at: 2)  // the wrong width: no rows, the others unaffected
    let together = bank.nearest(toEach: targets, k: 4)
    #expect(together.count == targets.count)
    for (target, found) in zip(targets, together) {
      let alone = bank.nearest(to: target, k: 4)
      #expect(found.map(\.row) == alone.map(\.row))
      for (a, b) in zip(found, alone) { #expect(abs(a.cosine - b.cosine) < 1e-5) }
    }
    #expect(together[2].isEmpty)
    #expect(bank.nearest(toEach: [targets[0]], k: 4)[0].map(\.row) == together[0].map(\.row))
    #expect(bank.nearest(toEach: [], k: 4).isEmpty)
  }

  @Test func badFilesAreRefused() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID()).bank").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(throws: DecoderError.missingFile(path)) { try SentenceBank(contentsOf: path) }
    try Data("not a bank".utf8).write(to: URL(fileURLWithPath: path))
    #expect(throws: DecoderError.self) { try SentenceBank(contentsOf: path) }
    let whole = Self.smallBank().serialized()
    try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: path))
    #expect(throws: DecoderError.badBank("\(path) is truncated")) {
      try SentenceBank(contentsOf: path)
    }
  }

  /// python/latitude_tools/train/corpus.py splits by sha256 of the lower-cased alphanumerics; every
  /// bank sentence must fall in the train buckets (10...99), and none of the committed test
  /// sample may appear.
  @Test func committedBankHoldsTrainSentencesOnly() throws {
    let path = EncoderFixtures.root.appendingPathComponent(SentenceBank.defaultPath).path
    let bank = try SentenceBank(contentsOf: path)
    #expect(bank.count >= 10_000)
    #expect(bank.header.encoder == "all-MiniLM-L6-v2")
    for text in bank.texts {
      let bucket = Self.splitBucket(text)
      #expect(
        bucket >= 10, "bank sentence from the \(bucket < 5 ? "test" : "validation") split: \(text)")
    }
    let sample = try String(
      contentsOf: EncoderFixtures.root.appendingPathComponent("Weights/train/test-sample.txt"),
      encoding: .utf8
    ).split(separator: "\n").map(String.init)
    #expect(sample.count == 500)
    #expect(sample.allSatisfy { Self.splitBucket($0) < 5 }, "the test sample is the test split")
    #expect(Set(bank.texts).isDisjoint(with: sample))
  }

  static func splitBucket(_ sentence: String) -> Int {
    let key = String(
      sentence.lowercased().unicodeScalars.filter {
        ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == " "
      }.map(Character.init))
    var remainder = 0
    for byte in SHA256.hash(data: Data(key.utf8)) {
      remainder = (remainder * 256 + Int(byte)) % 100
    }
    return remainder
  }
}
