import Canvas
import CanvasStore
import CanvasTestSupport
import Testing

private func id(_ lamport: UInt64, _ replica: String = "r1") -> OpID {
  OpFixtures.id(lamport, replica)
}

@Suite struct AppendTests {
  @Test func seqsAreDenseAndDurableAcrossReopen() throws {
    let temp = try TemporaryStore()
    let doc = try temp.document()
    let outcomes = try temp.store.append(
      [
        OpFixtures.create("n", "hello", at: id(1)),
        OpFixtures.move("n", at: id(2), latent: 0.2),
        OpFixtures.move("n", at: id(3), latent: 0.3),
      ], to: doc)
    #expect(outcomes == [.committed(seq: 1), .committed(seq: 2), .committed(seq: 3)])
    try temp.reopen()
    #expect(try temp.store.requireDocument(doc).headSeq == 3)
    let more = try temp.store.append([OpFixtures.move("n", at: id(4), latent: 0.4)], to: doc)
    #expect(more == [.committed(seq: 4)])
    #expect(try temp.store.ops(doc, from: 1, limit: 10).map(\.seq) == [1, 2, 3, 4])
  }

  @Test func duplicatesAreIdempotentAndKeepTheirSeq() throws {
    let temp = try TemporaryStore()
    let doc = try temp.document()
    let create = OpFixtures.create("n", "hello", at: id(1))
    let move = OpFixtures.move("n", at: id(2), latent: 0.2)
    _ = try temp.store.append([create, move], to: doc)
    let again = try temp.store.append([move, create, move], to: doc)
    #expect(again == [.duplicate(seq: 2), .duplicate(seq: 1), .duplicate(seq: 2)])
    try temp.reopen()
    #expect(try temp.store.append([create], to: doc) == [.duplicate(seq: 1)])
    #expect(try temp.store.requireDocument(doc).headSeq == 2)
  }

  @Test func duplicateWithinOneBatchIsCaught() throws {
    let temp = try TemporaryStore()
    let doc = try temp.document()
    let create = OpFixtures.create("n", "hello", at: id(1))
    let outcomes = try temp.store.append([create, create], to: doc, mode: .trusted)
    #expect(outcomes == [.committed(seq: 1), .duplicate(seq: 1)])
  }

  static let liveRejections: [(String, Op, Rejection)] = [
    ("move unknown node", OpFixtures.move("ghost", at: id(10), latent: 0.1), .unknownNode("ghost")),
    ("move deleted node", OpFixtures.move("gone", at: id(10), latent: 0.1), .nodeDeleted("gone")),
    (
      "move along unknown axis", OpFixtures.move("n", at: id(10), latent: 0.1, axis: "nope"),
      .unknownAxis("nope")
    ),
    ("recreate node", OpFixtures.create("n", "again", at: id(10)), .nodeExists("n")),
    (
      "decode unknown node", OpFixtures.decoded("ghost", answers: id(2), "x", at: id(10)),
      .unknownNode("ghost")
    ),
    (
      "update unknown axis",
      Op(id: id(10), actor: "t", payload: .axisUpdate(AxisUpdate(axis: "nope", name: "x"))),
      .unknownAxis("nope")
    ),
    (
      "bind unknown axis",
      Op(id: id(10), actor: "t", payload: .viewBind(ViewBind(x: .bind("nope")))),
      .unknownAxis("nope")
    ),
    ("recreate axis", OpFixtures.axis("s", name: "again", at: id(10)), .axisExists("s")),
  ]

  @Test("live ops with bad references are refused", arguments: liveRejections)
  func liveReferenceChecks(name: String, op: Op, expected: Rejection) throws {
    let temp = try TemporaryStore()
    let doc = try temp.document()
    _ = try temp.store.append(
      [
        OpFixtures.create("n", "hello", at: id(1)),
        OpFixtures.create("gone", "bye", at: id(2)),
        OpFixtures.delete("gone", at: id(3)),
        OpFixtures.axis("s", name: "Sentiment", at: id(4)),
      ], to: doc)
    let outcomes = try temp.store.append(
      [op, OpFixtures.move("n", at: id(11), latent: 0.5)], to: doc)
    #expect(outcomes == [.rejected(expected), .committed(seq: 5)], "\(name)")
    #expect(!expected.description.isEmpty && !expected.code.isEmpty)
  }

  @Test func invalidOpIsRefusedAndTheRestOfTheBatchLands() throws {
    let temp = try TemporaryStore()
    let doc = try temp.document()
    let bad = Op(
      id: id(2), actor: "t",
      payload: .nodeSetText(NodeSetText(node: "n", text: "", latent: OpFixtures.latent(0.1))))
    let outcomes = try temp.store.append(
      [
        OpFixtures.create("n", "hello", at: id(1)), bad,
        OpFixtures.move("n", at: id(3), latent: 0.3),
      ],
      to: doc)
    #expect(outcomes[0] == .committed(seq: 1))
    #expect(outcomes[1] == .rejected(.invalid(.emptyText(field: "text"))))
    #expect(outcomes[2] == .committed(seq: 2))
  }

  @Test func lamportFarAheadOfTheDocumentIsRefused() throws {
    let temp = try TemporaryStore()
    let doc = try temp.document()
    _ = try temp.store.append([OpFixtures.create("n", "hello", at: id(5))], to: doc)
    let outcomes = try temp.store.append(
      [OpFixtures.move("n", at: id(1_000_006), latent: 0.1)], to: doc)
    #expect(
      outcomes == [
        .rejected(
          .invalid(.lamportTooFarAhead(lamport: 1_000_006, documentLamport: 5, limit: 1_000_000)))
      ])
  }

  @Test func unknownDocumentIsAnError() throws {
    let temp = try TemporaryStore()
    #expect(throws: StoreError.unknownDocument("nope")) {
      try temp.store.append([OpFixtures.create("n", "x", at: id(1))], to: "nope")
    }
    #expect(throws: StoreError.documentExists("doc")) {
      try temp.document()
      try temp.document()
    }
  }

  @Test func groupCommitterCommitsConcurrentRequests() async throws {
    let temp = try TemporaryStore()
    let doc = try temp.document()
    _ = try temp.store.append([OpFixtures.create("n", "hello", at: id(1))], to: doc)
    let committer = GroupCommitter(store: temp.store)
    let seqs = try await withThrowingTaskGroup(of: [AppendOutcome].self) { group in
      for i in 0..<200 {
        group.addTask {
          try await committer.append(
            AppendRequest(
              document: doc,
              ops: [OpFixtures.move("n", at: id(UInt64(i + 2), "r\(i % 4)"), latent: 0.1)]))
        }
      }
      var all: [Int64] = []
      for try await outcomes in group { all += outcomes.compactMap(\.seq) }
      return all
    }
    #expect(seqs.sorted() == Array(2...201))
    committer.shutdown()
    await #expect(throws: StoreError.closed) {
      try await committer.append(AppendRequest(document: doc, ops: []))
    }
  }
}
