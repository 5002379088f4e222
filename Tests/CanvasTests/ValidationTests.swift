import Canvas
import CanvasTestSupport
import Foundation
import Latent
import Testing

private func id(_ lamport: UInt64, _ replica: String = "r1") -> OpID {
  OpFixtures.id(lamport, replica)
}

@Suite struct ValidationTests {
  let validator = OpValidator()

  static func vector(_ values: [Float]) -> LatentVector { LatentVector(values) }

  static let badPayloads: [(String, OpPayload, String)] = [
    (
      "short latent",
      .nodeCreate(NodeCreate(node: "n", text: "hi", latent: vector([1, 0, 0]))), "wrong_dimension"
    ),
    (
      "NaN latent",
      .nodeCreate(
        NodeCreate(node: "n", text: "hi", latent: vector([.nan] + Array(repeating: 0, count: 383)))),
      "non_finite"
    ),
    (
      "infinite latent",
      .nodeMove(
        NodeMove(
          node: "n", coordinates: [], latent: vector([.infinity] + Array(repeating: 0, count: 383)))
      ),
      "non_finite"
    ),
    (
      "overflowing fp16",
      .nodeSetText(
        NodeSetText(node: "n", text: "x", latent: vector([1e6] + Array(repeating: 0, count: 383)))),
      "non_finite"
    ),
    (
      "NaN coordinate",
      .nodeMove(
        NodeMove(
          node: "n", coordinates: [AxisCoordinate(axis: "a", value: .nan)],
          latent: OpFixtures.latent(0.1))),
      "non_finite"
    ),
    (
      "empty text", .nodeSetText(NodeSetText(node: "n", text: "", latent: OpFixtures.latent(0.1))),
      "empty_text"
    ),
    (
      "blank text",
      .nodeSetText(NodeSetText(node: "n", text: " \n\t", latent: OpFixtures.latent(0.1))),
      "empty_text"
    ),
    (
      "oversized text",
      .nodeSetText(
        NodeSetText(
          node: "n", text: String(repeating: "é", count: 2_001), latent: OpFixtures.latent(0.1))),
      "text_too_long"
    ),
    ("unresolved move", .nodeMove(NodeMove(node: "n", coordinates: [])), "unresolved_latent"),
    ("unresolved setText", .nodeSetText(NodeSetText(node: "n", text: "x")), "unresolved_latent"),
    ("empty node id", .nodeDelete(NodeDelete(node: "")), "invalid_id"),
    ("control char id", .nodeDelete(NodeDelete(node: "a\u{7}b")), "invalid_id"),
    (
      "huge id", .axisDelete(AxisDelete(axis: AxisID(String(repeating: "a", count: 200)))),
      "invalid_id"
    ),
  ]

  @Test("bad payloads are refused with a typed error", arguments: badPayloads)
  func refusesBadPayload(name: String, payload: OpPayload, code: String) {
    let op = Op(id: id(1), actor: "tester", payload: payload)
    #expect(throws: ValidationError.self, "\(name)") {
      try validator.validate(op, documentLamport: 0)
    }
    do {
      try validator.validate(op, documentLamport: 0)
    } catch {
      #expect(error.code == code, "\(name): \(error)")
      #expect(!error.description.isEmpty)
    }
  }

  @Test func acceptsAWellFormedOp() throws {
    try validator.validate(OpFixtures.create("n", "hello", at: id(1)), documentLamport: 0)
    try validator.validate(OpFixtures.move("n", at: id(5), latent: 0.3), documentLamport: 4)
  }

  @Test func textLimitIsConfigurable() throws {
    let strict = OpValidator(limits: ValidationLimits(maxTextLength: 5))
    let op = OpFixtures.setText("n", "123456", at: id(1), latent: 0.1)
    #expect(throws: ValidationError.textTooLong(field: "text", limit: 5)) {
      try strict.validate(op, documentLamport: 0)
    }
    try validator.validate(op, documentLamport: 0)
  }

  @Test func hugeTextIsRefusedCheaply() {
    let huge = String(repeating: "a", count: 5_000_000)
    let op = OpFixtures.setText("n", huge, at: id(1), latent: 0.1)
    #expect(throws: ValidationError.textTooLong(field: "text", limit: 2_000)) {
      try validator.validate(op, documentLamport: 0)
    }
  }

  @Test func lamportFarAheadIsRefused() throws {
    let ahead = OpFixtures.move("n", at: id(1_000_011), latent: 0.3)
    #expect(
      throws: ValidationError.lamportTooFarAhead(
        lamport: 1_000_011, documentLamport: 10, limit: 1_000_000)
    ) {
      try validator.validate(ahead, documentLamport: 10)
    }
    try validator.validate(
      OpFixtures.move("n", at: id(1_000_010), latent: 0.3), documentLamport: 10)
  }

  @Test func zeroLamportIsRefused() {
    #expect(throws: ValidationError.zeroLamport) {
      try validator.validate(OpFixtures.move("n", at: id(0), latent: 0.3), documentLamport: 0)
    }
  }

  @Test func unknownKindIsATypedError() {
    let json = #"{"id":{"lamport":1,"replica":"r"},"actor":"a","kind":"node.explode","payload":{}}"#
    #expect(throws: ValidationError.unknownKind("node.explode")) {
      try JSONDecoder().decode(Op.self, from: Data(json.utf8))
    }
  }
}
