import Foundation
import Synchronization

/// The words a decoded sentence may contain, enforced during generation: a WordPiece
/// continuation may only extend the word being spelt towards a known word, and the word
/// may only end (a new word, punctuation or the end of the sentence) where it is a known
/// word. So the decoder cannot invent words ("prejuallage"); it is steered, step by step,
/// to the nearest spelling it knows. Words are runs of letters a–z (lower-cased, as the
/// pre-tokenizer splits text); tokens with other characters (digits, punctuation) are not
/// constrained. Built by `make known-words` (`Weights/decoder/known-words.txt`).
public final class KnownWords: Sendable {
  /// The committed list: train-split words and Debian's wamerican-large.
  public static let defaultPath = "Weights/decoder/known-words.txt"

  /// Hashes of every known word.
  private let words: Set<UInt64>
  /// Hashes of every prefix of a known word (the words included).
  private let prefixes: Set<UInt64>
  /// How many words were read.
  public let count: Int
  /// Allowed continuation tokens after a word prefix (by the prefix's hash), memoised: the
  /// candidates of one decode spell the same prefixes again and again.
  private let memo = Mutex([UInt64: [Int32]]())

  /// Reads one word per line (`#` lines are comments); a line that is not a word (letters
  /// a–z) is skipped.
  /// - Throws: `DecoderError.badVocabulary` when the file is unreadable or holds no word.
  public convenience init(contentsOf path: String = KnownWords.defaultPath) throws(DecoderError) {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw .badVocabulary("\(path) is unreadable (make known-words)")
    }
    let list = text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
    try self.init(words: list)
    guard count > 0 else { throw .badVocabulary("\(path) holds no word") }
  }

  /// A list from words in memory (tests).
  public init(words list: [String]) throws(DecoderError) {
    var words = Set<UInt64>()
    var prefixes = Set<UInt64>()
    var count = 0
    for word in list {
      let bytes = Array(word.utf8)
      guard !bytes.isEmpty, bytes.allSatisfy(Self.isLetter) else { continue }
      var hash = Self.start
      for byte in bytes {
        hash = Self.extend(hash, byte)
        prefixes.insert(hash)
      }
      words.insert(hash)
      count += 1
    }
    self.words = words
    self.prefixes = prefixes
    self.count = count
  }

  /// The words of `text` as the list spells them (`LetterWords`): lower-cased, accents
  /// folded ("café" is "cafe", as `make known-words` reads the corpus), runs of the letters
  /// a–z (digits, apostrophes and punctuation split words).
  public static func words(in text: String) -> [String] { LetterWords.split(text) }

  /// Whether `word` (lower-case letters) is known.
  public func contains(_ word: String) -> Bool {
    words.contains(Self.hash(Array(word.utf8)))
  }

  /// The generation constraint for one decoder vocabulary.
  public func constraint(for vocabulary: [String]) -> Constraint {
    Constraint(words: self, vocabulary: vocabulary)
  }

  /// Applies the known words to one row of next-token logits, for a vocabulary of WordPiece
  /// pieces ("##" marks a continuation).
  public struct Constraint: Sendable {
    let words: KnownWords
    /// Each piece's letters (without "##"), nil when it has a character other than a–z.
    let letters: [[UInt8]?]
    let isContinuation: [Bool]
    /// Continuation pieces made of letters, as (id, letters).
    let continuations: [(id: Int32, letters: [UInt8])]
    /// Continuation pieces with other characters: never after letters.
    let otherContinuations: [Int32]
    /// Pieces that may start a word: punctuation, digits, and letters that begin a known
    /// word; the others never start one.
    let startBanned: [Int32]

    init(words: KnownWords, vocabulary: [String]) {
      self.words = words
      var letters: [[UInt8]?] = []
      var isContinuation: [Bool] = []
      var continuations: [(Int32, [UInt8])] = []
      var other: [Int32] = []
      var banned: [Int32] = []
      for (id, piece) in vocabulary.enumerated() {
        let continued = piece.hasPrefix("##") && piece.count > 2
        let body = Array((continued ? String(piece.dropFirst(2)) : piece).utf8)
        let alphabetic = !body.isEmpty && body.allSatisfy(KnownWords.isLetter)
        letters.append(alphabetic ? body : nil)
        isContinuation.append(continued)
        if continued {
          if alphabetic { continuations.append((Int32(id), body)) } else { other.append(Int32(id)) }
        } else if alphabetic, !words.prefixes.contains(KnownWords.hash(body)) {
          banned.append(Int32(id))
        }
      }
      self.letters = letters
      self.isContinuation = isContinuation
      self.continuations = continuations
      otherContinuations = other
      startBanned = banned
    }

    /// Bans, in `logits` (one row over the vocabulary), every piece that would leave the
    /// known words given the pieces generated so far (`history`). Pieces are ids into the
    /// vocabulary; `end` is the id that ends the sentence.
    public func apply(
      _ logits: UnsafeMutablePointer<Float>, count: Int, history: [Int32], end: Int32
    ) {
      precondition(count == letters.count, "one logit per vocabulary piece")
      // The word being spelt: the last piece that starts a word, and its continuations.
      var start = history.count
      while start > 0 {
        start -= 1
        let id = Int(history[start])
        guard id >= 0, id < count, isContinuation[id] else { break }
      }
      var prefix: [UInt8] = []
      var spelling = !history.isEmpty
      for index in start..<history.count {
        let id = Int(history[index])
        guard id >= 0, id < count, let piece = letters[id] else {
          spelling = false
          break
        }
        prefix += piece
      }
      if !spelling {
        // Nothing spelt yet, or digits and punctuation: any piece that starts a known word.
        for id in startBanned { logits[Int(id)] = -1e9 }
        if history.isEmpty {
          for (id, _) in continuations { logits[Int(id)] = -1e9 }
          for id in otherContinuations { logits[Int(id)] = -1e9 }
        }
        return
      }
      let hash = KnownWords.hash(prefix)
      let allowed = words.continuations(after: hash, among: continuations)
      var next = 0
      for (id, _) in continuations {
        if next < allowed.count, allowed[next] == id {
          next += 1
        } else {
          logits[Int(id)] = -1e9
        }
      }
      for id in otherContinuations { logits[Int(id)] = -1e9 }
      if words.words.contains(hash) {
        for id in startBanned { logits[Int(id)] = -1e9 }
      } else {
        // The word is unfinished: only a continuation may follow.
        for id in 0..<count where !isContinuation[id] || letters[id] == nil {
          logits[id] = -1e9
        }
        if end >= 0, Int(end) < count { logits[Int(end)] = -1e9 }
      }
    }
  }

  /// The continuation pieces (ids ascending, as in `among`) that keep the prefix with
  /// this hash a prefix of a known word.
  func continuations(after hash: UInt64, among pieces: [(id: Int32, letters: [UInt8])]) -> [Int32] {
    if let known = memo.withLock({ $0[hash] }) { return known }
    var allowed: [Int32] = []
    for (id, letters) in pieces {
      var extended = hash
      for byte in letters { extended = Self.extend(extended, byte) }
      if prefixes.contains(extended) { allowed.append(id) }
    }
    memo.withLock { memo in
      if memo.count >= 200_000 { memo.removeAll(keepingCapacity: true) }
      memo[hash] = allowed
    }
    return allowed
  }

  static func isLetter(_ byte: UInt8) -> Bool { byte >= 0x61 && byte <= 0x7A }

  // FNV-1a, 64 bits: a prefix's hash extends to its continuations' byte by byte.
  static let start: UInt64 = 0xCBF2_9CE4_8422_2325
  static func extend(_ hash: UInt64, _ byte: UInt8) -> UInt64 {
    (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
  }
  static func hash(_ bytes: [UInt8]) -> UInt64 { bytes.reduce(start, extend) }
}
