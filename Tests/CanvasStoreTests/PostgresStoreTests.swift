import Canvas
import CanvasTestSupport
import Foundation
import Logging
import Synchronization
import Testing

@testable import CanvasStore

/// The PostgreSQL server of the tests below, or nil.
private let testPostgresURL = ProcessInfo.processInfo.environment["LATITUDE_TEST_POSTGRES"]

/// The op log on PostgreSQL, and its fencing. Needs a server: `make test-cluster` starts a
/// private one and runs these with `LATITUDE_TEST_POSTGRES` set to its URL (make test
/// runs test-cluster, so they never go unrun there).
@Suite(.enabled(if: testPostgresURL != nil, "LATITUDE_TEST_POSTGRES is not set"))
struct PostgresStoreTests {

  private func open(leaseMs: Int = 4_000, node: String = "test") throws -> CanvasStore {
    try CanvasStore(
      location: .postgres(testPostgresURL!),
      configuration: StoreConfiguration(
        snapshotInterval: 8, leaseMilliseconds: leaseMs, nodeName: node),
      logger: Logger(label: "test"))
  }

  private func newDocument(_ store: CanvasStore) throws -> DocumentID {
    let id = DocumentID("pg-\(UUID().uuidString.prefix(12))")
    try store.createDocument(DocumentInfo(id: id, title: "PostgreSQL", createdAt: 1_700_000_000))
    return id
  }

  @Test func seqsDuplicatesSnapshotsAndStateMatchTheSQLiteStore() throws {
    let store = try open()
    let doc = try newDocument(store)
    #expect(throws: StoreError.documentExists(doc)) {
      try store.createDocument(DocumentInfo(id: doc, title: "again", createdAt: 1))
    }
    var ops = [OpFixtures.create("n", "hello", at: OpFixtures.id(1, "r1"))]
    for lamport in 2...40 {
      ops.append(
        OpFixtures.move("n", at: OpFixtures.id(UInt64(lamport), "r1"), latent: Float(lamport) / 50))
    }
    let outcomes = try store.append(ops, to: doc)
    #expect(outcomes == (1...40).map { .committed(seq: Int64($0)) })
    #expect(
      try store.append([ops[3], ops[0]], to: doc) == [.duplicate(seq: 4), .duplicate(seq: 1)])
    try store.writePendingSnapshots()
    let again = try open()
    #expect(try again.requireDocument(doc).headSeq == 40)
    #expect(try again.ops(doc, from: 38, limit: 10).map(\.seq) == [38, 39, 40])
    #expect(try again.ops(doc, from: 1, limit: 100) == (try store.ops(doc, from: 1, limit: 100)))
    // The state at a seq folds from the nearest snapshot: same as folding every op.
    var folded = DocumentState()
    for op in ops.prefix(25) { folded.apply(op) }
    #expect(try again.state(doc, atSeq: 25) == folded)
    #expect(try again.storageStats(doc).opCount == 40)
    #expect(try again.storageStats(doc).snapshotCount >= 1)
    // A second process appends only once the first gives its lease up.
    let next = OpFixtures.move("n", at: OpFixtures.id(41, "r1"), latent: 0.1)
    #expect(try again.append([next], to: doc) == [.rejected(.notOwner(doc))])
    store.ownership!.release(doc)
    #expect(try again.append([next], to: doc) == [.committed(seq: 41)])
  }

  /// Two nodes with 300 ms leases that take leases as the server does (`acquire` first),
  /// a new document, and the first node's lease on it (its token).
  private func twoNodes(_ firstName: String, _ secondName: String) throws
    -> (first: CanvasStore, second: CanvasStore, doc: DocumentID, token: Int64)
  {
    let first = try open(leaseMs: 300, node: firstName)
    let second = try open(leaseMs: 300, node: secondName)
    first.ownership!.autoAcquire = false
    second.ownership!.autoAcquire = false
    let doc = try newDocument(first)
    let claim = try first.ownership!.acquire(doc)
    guard case .owned(let token) = claim else {
      throw StoreError.corrupt("a free lease was not taken: \(claim)")
    }
    return (first, second, doc, token)
  }

  @Test func aNodeThatLostItsLeaseCannotAppendAndTheNewOwnerContinuesTheLog() throws {
    let (first, second, doc, token) = try twoNodes("first", "second")
    #expect(
      try first.append([OpFixtures.create("n", "x", at: OpFixtures.id(1, "a"))], to: doc)
        == [.committed(seq: 1)])
    guard case .heldBy(let holder, _) = try second.ownership!.acquire(doc) else {
      Issue.record("a live lease was taken")
      return
    }
    #expect(holder == first.ownership!.owner)
    #expect(
      try second.append([OpFixtures.move("n", at: OpFixtures.id(1, "b"), latent: 0.2)], to: doc)
        == [.rejected(.notOwner(doc))])
    // The first node stops renewing (as if paused); once its lease lapses the second
    // takes it with a higher token and appends after the first node's ops.
    first.ownership!.shutdown()
    Thread.sleep(forTimeInterval: 0.7)
    guard case .owned(let newToken) = try second.ownership!.acquire(doc) else {
      Issue.record("an expired lease was not taken")
      return
    }
    #expect(newToken > token)
    #expect(
      try second.append([OpFixtures.move("n", at: OpFixtures.id(2, "b"), latent: 0.2)], to: doc)
        == [.committed(seq: 2)])
    // The first node's append is fenced: nothing of it is logged, the seq is not forked.
    #expect(
      try first.append([OpFixtures.move("n", at: OpFixtures.id(2, "a"), latent: 0.3)], to: doc)
        == [.rejected(.notOwner(doc))])
    #expect(first.ownership!.counters.fenced == 1)
    #expect(try second.ops(doc, from: 1, limit: 10).map(\.op.id.replica.rawValue) == ["a", "b"])
  }

  @Test func aNodePausedInsideItsWriteTransactionDoesNotBlockTheTakeover() throws {
    let (first, second, doc, _) = try twoNodes("paused", "successor")
    #expect(
      try first.append([OpFixtures.create("n", "x", at: OpFixtures.id(1, "a"))], to: doc)
        == [.committed(seq: 1)])
    // The first node's writer passes the fencing check, which locks the lease row, and
    // then its process stalls (here: a sleep) for ten lease times; it stops renewing too.
    let pauseEnded = Atomic(false)
    let writerOutcome = Mutex<String?>(nil)
    let writerDone = DispatchSemaphore(value: 0)
    let paused = Thread {
      do {
        try first.write { db in
          try db.transaction {
            guard try db.mayAppend(to: doc) == .allowed else { throw StoreError.corrupt("fenced") }
            Thread.sleep(forTimeInterval: 3)
            pauseEnded.store(true, ordering: .sequentiallyConsistent)
            _ = try db.documentHead(doc)
          }
        }
        writerOutcome.withLock { $0 = "committed" }
      } catch {
        writerOutcome.withLock { $0 = "\(error)" }
      }
      writerDone.signal()
    }
    paused.start()
    first.ownership!.shutdown()
    Thread.sleep(forTimeInterval: 0.5)
    // PostgreSQL ends the stalled transaction after a lease time of silence, so the
    // second node takes the document over while the first is still paused, with a
    // lease of full length (it appends at once).
    guard case .owned = try second.ownership!.acquire(doc) else {
      Issue.record("an expired lease was not taken")
      return
    }
    let pauseOverAtTakeover = pauseEnded.load(ordering: .sequentiallyConsistent)
    #expect(!pauseOverAtTakeover, "the takeover waited for the pause")
    #expect(
      try second.append([OpFixtures.move("n", at: OpFixtures.id(1, "b"), latent: 0.2)], to: doc)
        == [.committed(seq: 2)])
    writerDone.wait()
    // The resumed writer's transaction is gone: it fails instead of committing, and the
    // node's next append is fenced.
    let outcome = writerOutcome.withLock { $0 }
    #expect(outcome != nil && outcome != "committed", "\(outcome ?? "nil")")
    #expect(
      try first.append([OpFixtures.move("n", at: OpFixtures.id(2, "a"), latent: 0.3)], to: doc)
        == [.rejected(.notOwner(doc))])
    #expect(try second.ops(doc, from: 1, limit: 10).map(\.op.id.replica.rawValue) == ["a", "b"])
  }
}
