import Foundation

/// How the decoder's word lists (known words, fluency counts) split text into words:
/// lower-cased, accents removed (NFKD without combining marks, so "café" is "cafe"), runs of
/// the letters a–z. The Python builders of both lists split the same way
/// (`known_words.words_of`, `fluency.words_of`).
public enum LetterWords {
  /// The words of `text`, in order.
  public static func split(_ text: String) -> [String] {
    var words: [String] = []
    var current = String.UnicodeScalarView()
    for scalar in text.lowercased().decomposedStringWithCompatibilityMapping.unicodeScalars {
      if scalar.properties.canonicalCombiningClass.rawValue != 0 { continue }
      if (97...122).contains(scalar.value) {
        current.append(scalar)
      } else if !current.isEmpty {
        words.append(String(current))
        current = String.UnicodeScalarView()
      }
    }
    if !current.isEmpty { words.append(String(current)) }
    return words
  }
}
