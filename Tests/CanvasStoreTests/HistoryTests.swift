import Canvas
import CanvasStore
import CanvasTestSupport
import Foundation
import Testing

@Suite struct HistoryTests {
  /// Appends a random concurrent history (trusted: it includes ops for unseen entities).
  private func logged(seed: UInt64, count: Int, snapshotInterval: Int) throws -> (
    TemporaryStore, [Op]
  ) {
    let temp = try TemporaryStore(
      StoreConfiguration(snapshotInterval: snapshotInterval, snapshotMaxRatio: 0.5))
    let doc = try temp.document()
    let ops = ConcurrentHistory(seed: seed, count: count, dimension: 384).ops
    for chunk in stride(from: 0, to: ops.count, by: 25) {
      let outcomes = try temp.store.append(
        Array(ops[chunk..<min(chunk + 25, ops.count)]), to: doc, mode: .trusted)
      #expect(outcomes.allSatisfy { if case .committed = $0 { true } else { false } })
    }
    try temp.store.writePendingSnapshots()
    return (temp, ops)
  }

  @Test("state at every seq equals the fold of the ops up to it", arguments: [1, 2, 3] as [UInt64])
  func stateAtSeqMatchesFold(seed: UInt64) throws {
    let (temp, ops) = try logged(seed: seed, count: 300, snapshotInterval: 16)
    let stats = try temp.store.storageStats("doc")
    #expect(stats.snapshotCount > 0, "the test should exercise snapshots")
    var folded = DocumentState()
    #expect(try temp.store.state("doc", atSeq: 0) == folded)
    for (index, op) in ops.enumerated() {
      folded.apply(op)
      #expect(try temp.store.state("doc", atSeq: Int64(index + 1)) == folded, "seq \(index + 1)")
    }
  }

  @Test func writerStateSurvivesReopenMidway() throws {
    let (temp, ops) = try logged(seed: 9, count: 200, snapshotInterval: 16)
    try temp.reopen(StoreConfiguration(snapshotInterval: 16, snapshotMaxRatio: 0.5))
    let extra = OpFixtures.create("late", "after reopen", at: OpFixtures.id(10_000))
    #expect(try temp.store.append([extra], to: "doc") == [.committed(seq: 201)])
    #expect(try temp.store.state("doc", atSeq: 201) == DocumentState(folding: ops + [extra]))
  }

  @Test func snapshotsStayWithinHalfTheLog() throws {
    let (temp, _) = try logged(seed: 4, count: 600, snapshotInterval: 8)
    let stats = try temp.store.storageStats("doc")
    #expect(stats.snapshotCount > 0)
    #expect(stats.snapshotRatio <= 0.5, "ratio \(stats.snapshotRatio)")
  }

  @Test func seqOutOfRangeIsAClearError() throws {
    let (temp, _) = try logged(seed: 5, count: 10, snapshotInterval: 100)
    #expect(throws: StoreError.seqOutOfRange(seq: 11, head: 10)) {
      try temp.store.state("doc", atSeq: 11)
    }
    #expect(throws: StoreError.seqOutOfRange(seq: -1, head: 10)) {
      try temp.store.state("doc", atSeq: -1)
    }
    #expect(throws: StoreError.unknownDocument("other")) { try temp.store.state("other", atSeq: 0) }
  }

  @Test func rangeReadsPage() throws {
    let before = Int64(Date().timeIntervalSince1970 * 1000)
    let (temp, ops) = try logged(seed: 6, count: 50, snapshotInterval: 100)
    let page = try temp.store.ops("doc", from: 11, limit: 5)
    // Each op keeps when it was committed.
    let after = Int64(Date().timeIntervalSince1970 * 1000)
    #expect(page.allSatisfy { ($0.at ?? 0) >= before && ($0.at ?? .max) <= after })
    #expect(page.map(\.seq) == [11, 12, 13, 14, 15])
    #expect(page.map(\.op) == Array(ops[10..<15]))
    #expect(try temp.store.ops("doc", from: 49, limit: 5).map(\.seq) == [49, 50])
    #expect(try temp.store.ops("doc", from: 51, limit: 5).isEmpty)
  }

  @Test func exportThenImportReproducesTheExactState() throws {
    let (temp, _) = try logged(seed: 7, count: 250, snapshotInterval: 32)
    var exported = Data()
    let count = try temp.store.exportNDJSON("doc") { exported.append($0) }
    #expect(count == 250)
    let text = String(decoding: exported, as: UTF8.self)
    let info = try temp.store.importNDJSON(lines: text.split(separator: "\n"), as: "copy")
    #expect(info.headSeq == 250)
    #expect(info.title == "Test doc")
    for seq in [0, 1, 77, 250] as [Int64] {
      #expect(try temp.store.state("copy", atSeq: seq) == temp.store.state("doc", atSeq: seq))
    }
    #expect(throws: StoreError.documentExists("copy")) {
      try temp.store.importNDJSON(lines: text.split(separator: "\n"), as: "copy")
    }
  }

  @Test func badImportNamesTheLineAndWritesNothing() throws {
    let (temp, _) = try logged(seed: 8, count: 5, snapshotInterval: 100)
    var exported = Data()
    try temp.store.exportNDJSON("doc") { exported.append($0) }
    var lines = String(decoding: exported, as: UTF8.self).split(separator: "\n")
    lines[3] =
      #"{"seq":3,"op":{"id":{"lamport":1,"replica":"r"},"actor":"a","kind":"node.zap","payload":{}}}"#
    #expect(throws: StoreError.badImport(line: 4, reason: "unknown op kind 'node.zap'")) {
      try temp.store.importNDJSON(lines: lines, as: "broken")
    }
    #expect(try temp.store.document("broken") == nil)
    #expect(throws: StoreError.self) { try temp.store.importNDJSON(lines: ["not json"], as: "x") }
    #expect(throws: StoreError.badImport(line: 1, reason: "file is empty")) {
      try temp.store.importNDJSON(lines: [Substring](), as: "x")
    }
  }
}
