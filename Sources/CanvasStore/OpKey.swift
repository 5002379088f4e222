/// The ops table's rowid: `doc_key << 40 | seq`. One B-tree orders every document's ops by
/// seq, so appends and range reads need no separate (doc, seq) index.
enum OpKey {
  /// Largest seq a document can reach (about 1.1 trillion ops).
  static let maxSeq: Int64 = (1 << 40) - 1

  static func make(doc: Int64, seq: Int64) -> Int64 {
    precondition(doc >= 0 && doc < 1 << 23 && seq >= 0 && seq <= maxSeq, "op key out of range")
    return doc << 40 | seq
  }
}
