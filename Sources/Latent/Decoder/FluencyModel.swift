import Foundation

/// How fluent a text reads, from word trigram, bigram and unigram counts of the train split
/// (`make fluency`; python/latitude_tools/train/fluency.py builds the file and holds the
/// reference scorer). Decode re-ranking weighs it next to cosine (`FluencyRanking`).
///
/// The score is SLOR (Lau, Clark and Lappin 2017): the mean, over the text's words and the
/// end of the sentence, of log10 P(word | two words before) − log10 P(word), with P from
/// stupid backoff (Brants et al. 2007: the trigram's relative frequency, else 0.4 × the
/// bigram's, else 0.16 × the unigram's). Subtracting the unigram term means rare but
/// correct words are not punished; what remains is how well the words follow one another.
/// Well-formed sentences score about 0.8–2, shuffled or repeated words about −1–0.3.
///
/// File layout (little-endian): "LATFLU01"; UInt64 total tokens; UInt32 words, bigrams,
/// trigrams, 0; UInt32 byte length and the words joined by "\n" (id = position, 0 = `<s>`,
/// 1 = `</s>`); UInt32 unigram counts; sorted UInt64 bigram keys (id1 << 20 | id2) and UInt32
/// counts; sorted UInt64 trigram keys (id1 << 40 | id2 << 20 | id3) and UInt32 counts.
public struct FluencyModel: Sendable {
  /// The committed model.
  public static let defaultPath = "Weights/decoder/fluency.bin"
  static let magic = Data("LATFLU01".utf8)
  static let bits: UInt64 = 20
  static let backoff = 0.4

  let ids: [String: UInt32]
  let unigrams: [UInt32]
  let bigramKeys: [UInt64]
  let bigramCounts: [UInt32]
  let trigramKeys: [UInt64]
  let trigramCounts: [UInt32]
  let total: Double

  /// Words the model knows (with `<s>` and `</s>`).
  public var wordCount: Int { unigrams.count }

  /// Reads and checks a model file: sizes, sorted keys, ids in range, no trailing bytes.
  /// - Throws: `DecoderError.missingFile` or `.badFluency` naming what is wrong.
  public init(contentsOf path: String = FluencyModel.defaultPath) throws(DecoderError) {
    guard FileManager.default.fileExists(atPath: path) else { throw .missingFile(path) }
    guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
    else { throw .badFluency("\(path) is unreadable") }
    var reader = BinaryFileReader(data: data, path: path) { DecoderError.badFluency($0) }
    guard try reader.bytes(8) == Self.magic else {
      throw .badFluency("\(path) is not a fluency model")
    }
    let total = try reader.array(UInt64.self, 1)[0]
    let sizes = try reader.array(UInt32.self, 4).map(Int.init)
    let (wordCount, bigramCount, trigramCount) = (sizes[0], sizes[1], sizes[2])
    guard total > 0, wordCount >= 2, wordCount < 1 << Int(Self.bits) else {
      throw .badFluency("\(path): bad token or word count")
    }
    let names = String(decoding: try reader.bytes(Int(try reader.uint32())), as: UTF8.self)
      .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    guard names.count == wordCount, names[0] == "<s>", names[1] == "</s>" else {
      throw .badFluency("\(path): the word list does not match its count")
    }
    unigrams = try reader.array(UInt32.self, wordCount)
    bigramKeys = try reader.array(UInt64.self, bigramCount)
    bigramCounts = try reader.array(UInt32.self, bigramCount)
    trigramKeys = try reader.array(UInt64.self, trigramCount)
    trigramCounts = try reader.array(UInt32.self, trigramCount)
    guard reader.remaining == 0 else { throw .badFluency("\(path) has trailing bytes") }
    guard !unigrams.contains(0), !bigramCounts.contains(0), !trigramCounts.contains(0) else {
      throw .badFluency("\(path): a count is zero")
    }
    for (keys, arity) in [(bigramKeys, 2), (trigramKeys, 3)] {
      guard Self.wellFormed(keys, arity: arity, words: UInt64(wordCount)) else {
        throw .badFluency("\(path): \(arity)-gram keys are unsorted or out of range")
      }
    }
    var ids: [String: UInt32] = [:]
    ids.reserveCapacity(wordCount)
    for (id, name) in names.enumerated() { ids[name] = UInt32(id) }
    self.ids = ids
    self.total = Double(total)
  }

  /// Keys strictly increasing, each of `arity` ids below `words` and nothing above them.
  static func wellFormed(_ keys: [UInt64], arity: Int, words: UInt64) -> Bool {
    let mask: UInt64 = (1 << bits) - 1
    var previous: UInt64?
    for key in keys {
      if let previous, key <= previous { return false }
      guard key >> (bits * UInt64(arity)) == 0 else { return false }
      for slot in 0..<arity where (key >> (bits * UInt64(slot))) & mask >= words { return false }
      previous = key
    }
    return true
  }

  /// The words of `text` as the model counts them (`LetterWords`: accents folded, a–z runs).
  public static func words(in text: String) -> [String] { LetterWords.split(text) }

  /// The text's SLOR score (higher reads better); an empty text scores its end alone.
  public func score(_ text: String) -> Float {
    let sequence: [UInt32?] = [0] + Self.words(in: text).map { ids[$0] } + [1]
    var sum = 0.0
    for index in 1..<sequence.count {
      let word = sequence[index]
      let unigram = 0.16 * (word.map { Double(unigrams[Int($0)]) } ?? 0.5) / total
      sum +=
        log10(probability(word, after: sequence[index - 1], index >= 2 ? sequence[index - 2] : nil))
        - log10(unigram)
    }
    return Float(sum / Double(sequence.count - 1))
  }

  /// Stupid backoff's P(word | first, second); `nil` is a word the model does not know.
  func probability(_ word: UInt32?, after previous: UInt32?, _ before: UInt32?) -> Double {
    guard let word else { return 0.16 * 0.5 / total }
    if let before, let previous,
      let count = Self.count(of: Self.key(before, previous, word), trigramKeys, trigramCounts),
      let context = Self.count(of: Self.key(before, previous), bigramKeys, bigramCounts)
    {
      return Double(count) / Double(context)
    }
    if let previous, let count = Self.count(of: Self.key(previous, word), bigramKeys, bigramCounts)
    {
      return Self.backoff * Double(count) / Double(unigrams[Int(previous)])
    }
    return Self.backoff * Self.backoff * Double(unigrams[Int(word)]) / total
  }

  static func key(_ ids: UInt32...) -> UInt64 {
    ids.reduce(0) { ($0 << bits) | UInt64($1) }
  }

  /// Binary search of sorted `keys`.
  static func count(of key: UInt64, _ keys: [UInt64], _ counts: [UInt32]) -> UInt32? {
    var (low, high) = (0, keys.count)
    while low < high {
      let middle = (low + high) / 2
      if keys[middle] < key { low = middle + 1 } else { high = middle }
    }
    return low < keys.count && keys[low] == key ? counts[low] : nil
  }
}

/// Fluency in decode ranking: a candidate's rank is its cosine to the target plus
/// `weight` × its fluency score, so a fluent sentence at cosine 0.80 beats word salad at
/// 0.81. The reported fidelity stays the cosine.
public struct FluencyRanking: Sendable {
  /// The scorer.
  public let model: FluencyModel
  /// Cosine per unit of SLOR.
  public let weight: Float

  /// The weight measured on the validation split (`latitude-bench calibrate-fluency`; the
  /// largest whose mean fidelity loss is at most 0.002: 0.0011 at 0.04, 0.0036 at 0.06;
  /// Weights/decoder/latitude-prefix-v2/fluency.json).
  public static let measuredWeight: Float = 0.04

  /// A ranking with `model` and `weight` (0 ranks by cosine alone).
  public init(model: FluencyModel, weight: Float = FluencyRanking.measuredWeight) {
    self.model = model
    self.weight = weight
  }

  /// The rank of a candidate (`LatentDecoder.ranked` sorts by cosine alone at weight 0).
  func rank(cosine: Float, text: String) -> Float {
    cosine + weight * model.score(text)
  }
}
