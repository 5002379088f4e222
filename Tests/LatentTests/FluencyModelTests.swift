import Foundation
import Latent
import Testing

/// The fluency model: agreement with the Python reference scorer on a committed fixture,
/// refusal of malformed files, and fluency in decode ranking.
///
/// The fixture was made from `Resources/fluency-corpus.txt` by
/// `python -m latitude_tools.train.fluency --train …/fluency-corpus.txt --min-count 1
/// --output …/fluency-fixture.bin`, and the scores by the same module's `--score --json`.
@Suite struct FluencyModelTests {
  static let resources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Resources")
  static let fixture = resources.appendingPathComponent("fluency-fixture.bin").path

  struct Scored: Decodable {
    var text: String
    var score: Double
  }

  @Test func scoresMatchThePythonReference() throws {
    let model = try FluencyModel(contentsOf: Self.fixture)
    let data = try Data(contentsOf: Self.resources.appendingPathComponent("fluency-scores.json"))
    let expected = try JSONDecoder().decode([Scored].self, from: data)
    #expect(expected.count >= 8)
    for item in expected {
      #expect(abs(Double(model.score(item.text)) - item.score) < 1e-5, "\(item.text)")
    }
  }

  @Test func wordOrderAndRepetitionScoreBelowTheSentence() throws {
    let model = try FluencyModel(contentsOf: Self.fixture)
    let sentence = model.score("The cat sat on the mat.")
    #expect(sentence > model.score("Mat the on sat cat the.") + 1)
    #expect(sentence > model.score("the the the the"))
    #expect(model.score("THE CAT SAT ON THE MAT!!") == sentence, "case and punctuation")
  }

  @Test func wordsAreSplitAsTheKnownWordList() {
    #expect(
      FluencyModel.words(in: "It's a naïve Café-crème, 2 times!") == [
        "it", "s", "a", "naive", "cafe", "creme", "times",
      ])
    #expect(FluencyModel.words(in: "") == [])
  }

  /// Writes `bytes` to a temporary file and expects the model to refuse it.
  func expectRefused(_ bytes: Data, _ because: String) {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("fluency-\(UUID().uuidString).bin").path
    _ = FileManager.default.createFile(atPath: path, contents: bytes)
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(throws: DecoderError.self, "\(because)") { try FluencyModel(contentsOf: path) }
  }

  @Test func malformedFilesAreRefused() throws {
    let good = try Data(contentsOf: URL(fileURLWithPath: Self.fixture))
    #expect(throws: DecoderError.missingFile("/no/such/fluency.bin")) {
      try FluencyModel(contentsOf: "/no/such/fluency.bin")
    }
    expectRefused(Data(), "empty")
    expectRefused(Data("LATFLU02".utf8) + good.dropFirst(8), "wrong magic")
    expectRefused(good.prefix(good.count - 1), "truncated")
    expectRefused(good + Data([0]), "trailing byte")
    for cut in stride(from: 8, to: good.count, by: 97) {
      expectRefused(good.prefix(cut), "cut at \(cut)")
    }
    // A word count far beyond the file: must fail on size, not allocate or read past it.
    var huge = good
    huge.replaceSubrange(
      16..<20, with: withUnsafeBytes(of: UInt32(900_000).littleEndian) { Data($0) })
    expectRefused(huge, "word count beyond the file")
    var counts = good
    counts.replaceSubrange(20..<24, with: withUnsafeBytes(of: UInt32.max.littleEndian) { Data($0) })
    expectRefused(counts, "bigram count beyond the file")
    // Swap two bigram keys: unsorted.
    let model = try FluencyModel(contentsOf: Self.fixture)
    let words = model.wordCount
    let blobLength = Int(
      good.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 32, as: UInt32.self) })
    let keys = 36 + blobLength + 4 * words
    var unsorted = good
    let first = unsorted.subdata(in: keys..<keys + 8)
    unsorted.replaceSubrange(keys..<keys + 8, with: unsorted.subdata(in: keys + 8..<keys + 16))
    unsorted.replaceSubrange(keys + 8..<keys + 16, with: first)
    expectRefused(unsorted, "unsorted bigram keys")
    // A bigram key whose second id is past the word list.
    var outOfRange = good
    let lastKey = keys + 8 * (bigramCount(good) - 1)
    let key = UInt64(words) | (UInt64(words - 1) << 20)
    outOfRange.replaceSubrange(
      lastKey..<lastKey + 8, with: withUnsafeBytes(of: key.littleEndian) { Data($0) })
    expectRefused(outOfRange, "id out of range")
  }

  func bigramCount(_ data: Data) -> Int {
    Int(data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 20, as: UInt32.self) })
  }

  @Test func rankingWeighsFluencyButFidelityStaysTheCosine() throws {
    let encoder = try EncoderFixtures.loaded()
    let decoder = try DecoderFixtures.loaded()
    let fluent = "The cat sat on the mat."
    let salad = "Mat the on sat cat the."
    let texts = [fluent, salad]
    let bank = SentenceBank(
      texts: texts, vectors: encoder.encode(texts), encoder: encoder.name, source: "test")
    // The target is the salad's own embedding: by cosine alone the salad wins outright.
    let target = encoder.encode(salad)
    let plain = try LatentDecoder(encoder: encoder, decoder: decoder, bank: bank)
    let byCosine = try plain.decode(target, candidates: 1, bankCandidates: 2)
    #expect(byCosine.text == salad)
    let model = try FluencyModel(contentsOf: Self.fixture)
    let gap = 1 - VectorMath.dot(encoder.encode(fluent), target)
    let weight = gap / (model.score(fluent) - model.score(salad)) * 1.5
    let weighed = try LatentDecoder(
      encoder: encoder, decoder: decoder, bank: bank,
      fluency: FluencyRanking(model: model, weight: weight))
    let result = try weighed.decode(target, candidates: 1, bankCandidates: 2)
    // The greedy text also competes; whatever wins, the fluent sentence outranks the salad.
    let order = [result.text] + result.runnersUp.map(\.text)
    let (at, saladAt) = (order.firstIndex(of: fluent), order.firstIndex(of: salad))
    #expect(
      at != nil && (saladAt == nil || at! < saladAt!), "weight \(weight), gap \(gap): \(order)")
    #expect(result.text != salad)
    #expect(abs(result.fidelity - VectorMath.dot(encoder.encode(result.text), target)) < 1e-4)
    let off = try LatentDecoder(
      encoder: encoder, decoder: decoder, bank: bank,
      fluency: FluencyRanking(model: model, weight: 0))
    #expect(try off.decode(target, candidates: 1, bankCandidates: 2).text == salad)
  }

  @Test func theCommittedModelLoads() throws {
    let model = try FluencyModel(
      contentsOf: EncoderFixtures.root.appendingPathComponent(FluencyModel.defaultPath).path)
    #expect(model.wordCount > 10_000)
    #expect(
      model.score("She was very happy with the service.")
        > model.score("Service the with happy very was she."))
  }
}
