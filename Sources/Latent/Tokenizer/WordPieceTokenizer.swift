import Foundation

/// Errors loading a tokenizer.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
  /// The vocabulary file could not be read.
  case unreadableVocabulary(String)
  /// The vocabulary lacks a token the tokenizer needs.
  case missingSpecialToken(String)

  public var description: String {
    switch self {
    case .unreadableVocabulary(let path): "cannot read vocabulary \(path)"
    case .missingSpecialToken(let token): "vocabulary has no \(token) token"
    }
  }
}

/// BERT uncased WordPiece, identical to the tokenizer sentence-transformers runs for
/// all-MiniLM-L6-v2: normalise and pre-tokenise (`BertPreTokenizer`), split each word
/// greedily into the longest vocabulary pieces (continuations prefixed "##"; a word with
/// no split, or over 100 scalars, becomes [UNK]), then wrap in [CLS] … [SEP] and truncate
/// to `maxLength` tokens in all.
public struct WordPieceTokenizer: Sendable {
  private let vocabulary: [String: Int32]
  /// Token ids of the special tokens.
  public let classID: Int32, separatorID: Int32, unknownID: Int32, paddingID: Int32
  /// Longest sequence produced, special tokens included.
  public let maxLength: Int
  private let maxWordScalars = 100

  /// Loads `vocab.txt` (one token per line; the line number is the id).
  /// - Throws: `TokenizerError` for an unreadable file or missing special tokens.
  public init(vocabularyPath: String, maxLength: Int = 256) throws(TokenizerError) {
    guard let text = try? String(contentsOfFile: vocabularyPath, encoding: .utf8) else {
      throw .unreadableVocabulary(vocabularyPath)
    }
    var vocabulary: [String: Int32] = [:]
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
    where !line.isEmpty {
      vocabulary[String(line)] = Int32(index)
    }
    try self.init(vocabulary: vocabulary, maxLength: maxLength)
  }

  /// Makes a tokenizer from a token → id map.
  /// - Throws: `TokenizerError.missingSpecialToken`.
  public init(vocabulary: [String: Int32], maxLength: Int = 256) throws(TokenizerError) {
    func id(_ token: String) throws(TokenizerError) -> Int32 {
      guard let id = vocabulary[token] else { throw .missingSpecialToken(token) }
      return id
    }
    self.vocabulary = vocabulary
    classID = try id("[CLS]")
    separatorID = try id("[SEP]")
    unknownID = try id("[UNK]")
    paddingID = try id("[PAD]")
    self.maxLength = max(2, maxLength)
  }

  /// Token ids of `text`, with [CLS] and [SEP], at most `maxLength` long.
  public func encode(_ text: String) -> [Int32] {
    var ids: [Int32] = [classID]
    let budget = maxLength - 1
    for word in BertPreTokenizer.words(text) {
      for piece in pieces(of: word) {
        guard ids.count < budget else { break }
        ids.append(piece)
      }
      if ids.count >= budget { break }
    }
    ids.append(separatorID)
    return ids
  }

  /// The WordPiece ids of one pre-tokenised word.
  func pieces(of word: String) -> [Int32] {
    let scalars = Array(word.unicodeScalars)
    if scalars.count > maxWordScalars { return [unknownID] }
    var result: [Int32] = []
    var start = 0
    while start < scalars.count {
      var end = scalars.count
      var found: Int32?
      while start < end {
        var candidate = start > 0 ? "##" : ""
        candidate.unicodeScalars.append(contentsOf: scalars[start..<end])
        if let id = vocabulary[candidate] {
          found = id
          break
        }
        end -= 1
      }
      guard let id = found else { return [unknownID] }
      result.append(id)
      start = end
    }
    return result
  }
}
