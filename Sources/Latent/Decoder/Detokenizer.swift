/// Turns generated WordPieces back into readable text: "##" continuations join their word,
/// punctuation hugs the word it belongs to, contractions close up ("don ' t" → "don't"),
/// quotes pair up, hyphens join ("well - known" → "well-known"), and the text starts with a
/// capital and writes "I" upright (the encoder is uncased, so the decoder is too).
/// python/latitude_tools/train/generation.py's `tidy` applies the same rules, so metrics agree.
public enum Detokenizer {
  private static let closing: Set<String> = [".", ",", "!", "?", ";", ":", ")", "]", "}", "%"]
  private static let opening: Set<String> = ["(", "[", "{", "$"]
  private static let contractions: Set<String> = ["s", "t", "m", "d", "ve", "re", "ll"]

  /// Words of `pieces` (continuations merged), then joined by the spacing rules.
  public static func text(_ pieces: [String]) -> String {
    var words: [String] = []
    for piece in pieces {
      if piece.hasPrefix("##"), !words.isEmpty {
        words[words.count - 1] += piece.dropFirst(2)
      } else {
        words.append(piece)
      }
    }
    return join(words)
  }

  /// Joins words with the spacing rules above.
  static func join(_ words: [String]) -> String {
    var out = ""
    var glueNext = true  // no space before the next word
    var quoteOpen = false
    for (index, word) in words.enumerated() {
      var spaced = !glueNext
      glueNext = false
      let previous = index > 0 ? words[index - 1] : ""
      let next = index + 1 < words.count ? words[index + 1] : ""
      if closing.contains(word) {
        spaced = false
      } else if opening.contains(word) {
        glueNext = true
      } else if word == "'", contractions.contains(next), !previous.isEmpty {
        spaced = false
        glueNext = true
      } else if word == "-", !previous.isEmpty, !next.isEmpty, !closing.contains(previous) {
        spaced = false
        glueNext = true
      } else if word == "\"" {
        if quoteOpen {
          spaced = false
        } else {
          glueNext = true
        }
        quoteOpen.toggle()
      }
      let written = word == "i" ? "I" : word
      if spaced, !out.isEmpty { out += " " }
      out += written
    }
    guard let first = out.first else { return out }
    return first.uppercased() + out.dropFirst()
  }
}
