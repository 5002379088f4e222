import Latent
import Testing

@Suite struct WordPieceTests {
  static let vocabulary: [String: Int32] = [
    "[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "un": 4, "##aff": 5, "##able": 6, "hello": 7,
    "!": 8, "cafe": 9, "東": 10, ",": 11, "a": 12, "##a": 13,
  ]

  static let cases: [(String, [Int32])] = [
    ("unaffable", [2, 4, 5, 6, 3]),
    ("Hello!", [2, 7, 8, 3]),
    ("  hello\t\n", [2, 7, 3]),
    ("Café", [2, 9, 3]),  // lower-cased, accent stripped
    ("東", [2, 10, 3]),
    ("hello,hello", [2, 7, 11, 7, 3]),
    ("unknownword", [2, 1, 3]),
    ("", [2, 3]),
    ("hel\u{0}lo", [2, 7, 3]),  // NUL removed
    (String(repeating: "a", count: 101), [2, 1, 3]),  // over 100 scalars: [UNK]
  ]

  @Test("table of tokenizations", arguments: cases)
  func tokenizes(text: String, ids: [Int32]) throws {
    let tokenizer = try WordPieceTokenizer(vocabulary: Self.vocabulary)
    #expect(tokenizer.encode(text) == ids)
  }

  @Test func truncatesToMaxLengthWithSeparator() throws {
    let tokenizer = try WordPieceTokenizer(vocabulary: Self.vocabulary, maxLength: 5)
    #expect(tokenizer.encode("hello hello hello hello hello") == [2, 7, 7, 7, 3])
  }

  @Test func missingSpecialTokenIsAnError() {
    #expect(throws: TokenizerError.missingSpecialToken("[CLS]")) {
      try WordPieceTokenizer(vocabulary: ["[PAD]": 0])
    }
  }
}
