import Foundation
import Latent
import Testing

/// Generation within known words: which pieces each state of a word allows, and the
/// committed decoder spelling only known words.
@Suite struct KnownWordsTests {
  static let vocabulary = [
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "pre", "##ju", "##dice", "##all", "the", "##y", ".",
    "flight", "##s", "xq", "19", "##th", "##9",
  ]
  static let words = try! KnownWords(words: ["prejudice", "the", "they", "flight", "flights"])

  /// The pieces left allowed after `history` (piece strings).
  static func allowed(after history: [String]) -> Set<String> {
    let constraint = words.constraint(for: vocabulary)
    var logits = [Float](repeating: 0, count: vocabulary.count)
    let ids = history.map { Int32(vocabulary.firstIndex(of: $0)!) }
    logits.withUnsafeMutableBufferPointer {
      constraint.apply($0.baseAddress!, count: vocabulary.count, history: ids, end: 3)
    }
    return Set(vocabulary.indices.filter { logits[$0] > -1 }.map { vocabulary[$0] })
  }

  @Test func aSentenceStartsWithAPieceThatBeginsAKnownWord() {
    let allowed = Self.allowed(after: [])
    #expect(allowed.isSuperset(of: ["pre", "the", "flight", ".", "19", "[SEP]"]))
    #expect(allowed.isDisjoint(with: ["xq", "##ju", "##s", "##9"]), "\(allowed)")
  }

  @Test func anUnfinishedWordOnlyContinuesTowardsAKnownWord() {
    let allowed = Self.allowed(after: ["pre"])
    #expect(allowed == ["##ju"], "pre- can only go on to prejudice")
    #expect(Self.allowed(after: ["pre", "##ju"]) == ["##dice"])
  }

  @Test func wordsOfTextFoldAccentsAsTheListWasBuilt() {
    // make known-words reads "Café" as "cafe"; the nonword check must split the same way.
    #expect(
      KnownWords.words(in: "Café naïve, 19th-century Œuvre!") == [
        "cafe", "naive", "th", "century", "uvre",
      ])
    #expect(KnownWords.words(in: "Rock'n'roll") == ["rock", "n", "roll"])
  }

  @Test func aFinishedWordMayEndOrGoOnToALongerWord() {
    let allowed = Self.allowed(after: ["the"])
    #expect(allowed.isSuperset(of: ["##y", "flight", ".", "[SEP]", "the"]))
    #expect(allowed.isDisjoint(with: ["##s", "##ju", "xq", "##9"]), "\(allowed)")
    let complete = Self.allowed(after: ["pre", "##ju", "##dice"])
    #expect(complete.isSuperset(of: ["the", ".", "[SEP]"]))
    #expect(complete.isDisjoint(with: ["##ju", "##s", "xq"]))
  }

  @Test func digitsAndPunctuationAreNotSpelt() {
    // "19" + "##th" is not a letters-only word: not constrained.
    #expect(Self.allowed(after: ["19"]).isSuperset(of: ["##th", "##9", "the", "[SEP]"]))
    #expect(!Self.allowed(after: ["."]).contains("xq"))
  }

  @Test func theListIsReadFromAFileAndIgnoresCommentsAndNonWords() throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent(
      "known-\(UUID().uuidString).txt")
    try "# header\nthe\nflight\nnot a word\nÉcole\n\n".write(
      to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    let words = try KnownWords(contentsOf: file.path)
    #expect(words.count == 2)
    #expect(words.contains("flight") && !words.contains("flig") && !words.contains("header"))
    #expect(throws: DecoderError.self) { try KnownWords(contentsOf: "/no/such/file.txt") }
  }

  @Test func theCommittedDecoderSpellsOnlyKnownWords() throws {
    let words = try KnownWords(
      contentsOf: EncoderFixtures.root.appendingPathComponent(KnownWords.defaultPath).path)
    let encoder = try EncoderFixtures.loaded()
    let decoder = try TextDecoder(directory: DecoderFixtures.directory, knownWords: words)
    let pipeline = try LatentDecoder(encoder: encoder, decoder: decoder, bank: nil)
    let sentences = [
      "The prejudiced committee postponed its recommendations indefinitely.",
      "My flight was delayed for six hours and nobody apologised.",
      "Whisk the eggs with sugar until the mixture is pale and fluffy.",
    ]
    for sentence in sentences {
      let result = try pipeline.decode(encoder.encode(sentence), candidates: 4, bankCandidates: 0)
      for candidate in [result.text] + result.runnersUp.map(\.text) {
        #expect(KnownWords.words(in: candidate).allSatisfy(words.contains), "\(candidate)")
      }
    }
  }
}
