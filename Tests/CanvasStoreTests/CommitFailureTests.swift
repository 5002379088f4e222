import Canvas
import CanvasTestSupport
import Foundation
import Testing

@testable import CanvasStore

/// A failed transaction must nack the whole group and leave no trace: the writer reloads
/// its documents from the store, so ops of the failed group never leak into later state.
@Suite struct CommitFailureTests {
  @Test func failedGroupCommitNacksEveryRequestAndReloads() throws {
    let temp = try TemporaryStore()
    let doc = try temp.document()
    _ = try temp.store.append([OpFixtures.create("n", "hello", at: OpFixtures.id(1))], to: doc)

    // Inject a failure: any op by actor "poison" aborts its transaction.
    let saboteur = try SQLiteConnection(path: temp.path)
    try saboteur.execute(
      """
      CREATE TRIGGER poison BEFORE INSERT ON ops WHEN NEW.actor = 'poison'
      BEGIN SELECT RAISE(ABORT, 'injected failure'); END;
      """)

    let good = OpFixtures.move("n", at: OpFixtures.id(2), latent: 0.2)
    var poisoned = OpFixtures.move("n", at: OpFixtures.id(3), latent: 0.3)
    poisoned.actor = "poison"
    #expect(throws: StoreError.self) {
      try temp.store.append([
        AppendRequest(document: doc, ops: [good]), AppendRequest(document: doc, ops: [poisoned]),
      ])
    }
    // Nothing of the failed group is visible, in the log or in the writer's state.
    #expect(try temp.store.requireDocument(doc).headSeq == 1)
    #expect(try temp.store.state(doc, atSeq: 1).node("n")?.latent == OpFixtures.latent(0.5))

    try saboteur.execute("DROP TRIGGER poison")
    // The same good op can be retried and lands at the next seq; the state is the fold of
    // exactly what committed.
    #expect(try temp.store.append([good], to: doc) == [.committed(seq: 2)])
    let expected = DocumentState(folding: [
      OpFixtures.create("n", "hello", at: OpFixtures.id(1)), good,
    ])
    #expect(try temp.store.state(doc, atSeq: 2) == expected)

    // Through the group committer, every request of a failed batch gets the failure.
    try saboteur.execute(
      """
      CREATE TRIGGER poison BEFORE INSERT ON ops WHEN NEW.actor = 'poison'
      BEGIN SELECT RAISE(ABORT, 'injected failure'); END;
      """)
    let committer = GroupCommitter(store: temp.store, window: .milliseconds(50))
    var late = OpFixtures.move("n", at: OpFixtures.id(5), latent: 0.5)
    late.actor = "poison"
    // Both submits land inside the committer's 50 ms window, so they share a transaction.
    let results = ResultBox()
    let group = DispatchGroup()
    for request in [
      AppendRequest(document: doc, ops: [OpFixtures.move("n", at: OpFixtures.id(4), latent: 0.4)]),
      AppendRequest(document: doc, ops: [late]),
    ] {
      group.enter()
      committer.submit(request) { result in
        results.add(result)
        group.leave()
      }
    }
    group.wait()
    #expect(results.all.count == 2)
    for result in results.all {
      #expect(throws: StoreError.self) { try result.get() }
    }
    committer.shutdown()
    #expect(try temp.store.requireDocument(doc).headSeq == 2)
  }

  @Test func unknownDocumentInAGroupRejectsOnlyItsRequest() throws {
    let temp = try TemporaryStore()
    let doc = try temp.document()
    let results = try temp.store.append([
      AppendRequest(document: "missing", ops: [OpFixtures.create("a", "x", at: OpFixtures.id(1))]),
      AppendRequest(document: doc, ops: [OpFixtures.create("b", "y", at: OpFixtures.id(1))]),
    ])
    #expect(results == [[.rejected(.unknownDocument("missing"))], [.committed(seq: 1)]])
  }
}

/// Collects completion results from the committer's queue.
private final class ResultBox: @unchecked Sendable {
  private let lock = NSLock()
  private var results: [Result<[AppendOutcome], StoreError>] = []
  func add(_ result: Result<[AppendOutcome], StoreError>) {
    lock.lock()
    results.append(result)
    lock.unlock()
  }
  var all: [Result<[AppendOutcome], StoreError>] {
    lock.lock()
    defer { lock.unlock() }
    return results
  }
}
