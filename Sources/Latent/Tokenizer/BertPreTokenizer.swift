import Foundation

/// BERT uncased text normalisation and pre-tokenisation, as the `tokenizers` library runs it
/// for all-MiniLM-L6-v2 (BertNormalizer, then BertPreTokenizer):
/// 1. drop NUL, U+FFFD and other-category (C*) scalars; map White_Space scalars to a space;
/// 2. put spaces around CJK ideographs;
/// 3. NFD, then drop non-spacing marks (accents);
/// 4. lowercase, scalar by scalar;
/// 5. split on whitespace, and split off every punctuation scalar as its own word.
enum BertPreTokenizer {
  /// The words of `text`, ready for WordPiece.
  static func words(_ text: String) -> [String] {
    var cleaned = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      if scalar.value == 0 || scalar.value == 0xFFFD || isControl(scalar) { continue }
      if isWhitespace(scalar) {
        cleaned.append(" ")
      } else if isChineseCharacter(scalar) {
        cleaned.append(" ")
        cleaned.append(scalar)
        cleaned.append(" ")
      } else {
        cleaned.append(scalar)
      }
    }
    var words: [String] = []
    var current = String.UnicodeScalarView()
    func finishWord() {
      if !current.isEmpty {
        words.append(String(current))
        current = String.UnicodeScalarView()
      }
    }
    let decomposed = String(cleaned).decomposedStringWithCanonicalMapping
    for scalar in decomposed.unicodeScalars
    where scalar.properties.generalCategory != .nonspacingMark {
      for lower in scalar.properties.lowercaseMapping.unicodeScalars {
        if isWhitespace(lower) {
          finishWord()
        } else if isPunctuation(lower) {
          finishWord()
          words.append(String(Character(lower)))
        } else {
          current.append(lower)
        }
      }
    }
    finishWord()
    return words
  }

  /// Unicode White_Space, which includes tab, newline and carriage return.
  static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
    scalar.properties.isWhitespace
  }

  /// Other categories (Cc, Cf, Cs, Co, Cn), except the whitespace controls.
  static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    if scalar == "\t" || scalar == "\n" || scalar == "\r" { return false }
    switch scalar.properties.generalCategory {
    case .control, .format, .surrogate, .privateUse, .unassigned: return true
    default: return false
    }
  }

  /// ASCII punctuation and symbols, or any Unicode punctuation (P*).
  static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
    let v = scalar.value
    if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v)
      || (123...126).contains(v)
    {
      return true
    }
    switch scalar.properties.generalCategory {
    case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
      .initialPunctuation, .finalPunctuation, .otherPunctuation:
      return true
    default:
      return false
    }
  }

  /// The CJK Unified Ideographs blocks BERT treats as single-character words.
  static func isChineseCharacter(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
      0x2B740...0x2B81F, 0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
      return true
    default:
      return false
    }
  }
}
