import CommandSupport
import Foundation
import Latent

/// Text-overlap metrics of decoded sentences, defined exactly as in python/latitude_tools/train/evaluate.py:
/// lower-cased whitespace tokens, add-one-smoothed BLEU-4 with a brevity penalty, and
/// "repetition" as any word three times in a row.
enum TextMetrics {
  static func words(_ text: String) -> [String] {
    text.lowercased().split(whereSeparator: \.isWhitespace).map(String.init)
  }

  /// Harmonic mean of word precision and recall (multiset overlap).
  static func tokenF1(_ candidate: String, _ reference: String) -> Double {
    let (x, y) = (counts(words(candidate)), counts(words(reference)))
    let common = x.reduce(0) { $0 + min($1.value, y[$1.key] ?? 0) }
    guard common > 0 else { return 0 }
    let precision = Double(common) / Double(x.values.reduce(0, +))
    let recall = Double(common) / Double(y.values.reduce(0, +))
    return 2 * precision * recall / (precision + recall)
  }

  /// Sentence BLEU-4 with add-one smoothing of every n-gram precision.
  static func bleu(_ candidate: String, _ reference: String) -> Double {
    let (c, r) = (words(candidate), words(reference))
    guard !c.isEmpty else { return 0 }
    var logSum = 0.0
    for n in 1...4 {
      let cc = counts(ngrams(c, n))
      let rc = counts(ngrams(r, n))
      let matched = cc.reduce(0) { $0 + min($1.value, rc[$1.key] ?? 0) }
      logSum += log(Double(matched + 1) / Double(cc.values.reduce(0, +) + 1))
    }
    let brevity = min(1, exp(1 - Double(r.count) / Double(c.count)))
    return brevity * exp(logSum / 4)
  }

  /// Whether any word appears three times in a row.
  static func repeats(_ text: String) -> Bool {
    let w = words(text)
    guard w.count >= 3 else { return false }
    for i in 2..<w.count where w[i] == w[i - 1] && w[i] == w[i - 2] { return true }
    return false
  }

  private static func ngrams(_ words: [String], _ n: Int) -> [String] {
    words.count < n ? [] : (0...(words.count - n)).map { words[$0..<$0 + n].joined(separator: " ") }
  }

  private static func counts(_ items: [String]) -> [String: Int] {
    items.reduce(into: [:]) { $0[$1, default: 0] += 1 }
  }

  /// The share of decoded words (three letters or more, lower-cased runs of a–z) that are
  /// neither known words nor in the sentence they decode (names may be copied from it).
  static func nonwordRate(_ decoded: [String], originals: [String], known: KnownWords) -> Double {
    var words = 0
    var invented = 0
    for (text, original) in zip(decoded, originals) {
      let given = Set(KnownWords.words(in: original))
      for word in KnownWords.words(in: text) where word.count >= 3 {
        words += 1
        if !known.contains(word), !given.contains(word) { invented += 1 }
      }
    }
    return words == 0 ? 0 : Double(invented) / Double(words)
  }
}
