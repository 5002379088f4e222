import Canvas
import CanvasStore
import Foundation
import Latent
import Testing

@testable import CanvasServer

/// The typed protocol against Schema/protocol/examples.json: every client example decodes
/// into a `ClientMessage` and encodes back to the same JSON; every server example is what
/// the matching `ServerMessage` encodes to.
@Suite struct ProtocolExampleTests {
  static func frames(_ side: String) -> [[String: Any]] {
    let url = URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Schema/protocol/examples.json")
    let data = (try? Data(contentsOf: url)) ?? Data()
    let examples = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    return examples[side] as? [[String: Any]] ?? []
  }

  static func json(_ data: Data) -> NSDictionary? {
    (try? JSONSerialization.jsonObject(with: data)) as? NSDictionary
  }

  @Test func everyClientExampleRoundTripsThroughClientMessage() throws {
    let frames = Self.frames("client")
    #expect(frames.count >= 10)
    for frame in frames {
      let data = try JSONSerialization.data(withJSONObject: frame)
      let decoded = try ClientMessage.decode(data).get()
      #expect(decoded.type == frame["t"] as? String)
      let encoder = JSONEncoder()
      let again = try #require(Self.json(try encoder.encode(decoded)))
      #expect(again == frame as NSDictionary, "\(frame)")
      #expect(try ClientMessage.decode(try encoder.encode(decoded)).get() == decoded)
    }
  }

  @Test func everyServerExampleIsWhatServerMessageEncodes() throws {
    let id = { (lamport: UInt64) in OpID(lamport: lamport, replica: "r-7f3a") }
    let empty = DocumentState()
    let delete = Op(id: id(4), actor: "ada", payload: .nodeDelete(NodeDelete(node: "n1")))
    let bind = Op(
      id: id(9), actor: "ada", payload: .viewBind(ViewBind(x: .bind("sentiment"), y: .clear)))
    let setText = Op(
      id: id(3), actor: "ada",
      payload: .nodeSetText(
        NodeSetText(
          node: "n1", text: "The flight left on time.",
          latent: LatentVector([Float](repeating: 0.25, count: 384)))))
    // A document with one node on an axis, for the axis op and its ack.
    var placed = DocumentState()
    var unit = [Float](repeating: 0, count: 384)
    unit[0] = 1
    placed.apply(
      Op(
        id: id(1), actor: "ada",
        payload: .nodeCreate(NodeCreate(node: "n1", text: "Hi.", latent: LatentVector(unit)))))
    let axisCreate = Op(
      id: OpID(lamport: 16, replica: "r-ada"), actor: "ada",
      payload: .axisCreate(
        AxisCreate(
          axis: "sentiment", name: "Sentiment",
          poles: AxisPoles(negative: "negative", positive: "positive"), provider: "pack",
          params: .object(["axis": .string("sentiment")]), direction: LatentVector(unit),
          calibration: AxisCalibration(negativeMean: -0.5, positiveMean: 0.5))))
    placed.apply(axisCreate)
    let axisWire = WireOp(SequencedOp(seq: 10, op: axisCreate), state: placed)
    let messages: [ServerMessage] = [
      .welcome(
        .init(
          replica: "r-7f3a", role: "editor",
          limits: ["maxMessageBytes": 1_048_576, "maxTextLength": 2000])),
      .snapshot(seq: 0, state: SnapshotState(empty)),
      .joined(doc: "workshop", head: 3),
      .ops([WireOp(SequencedOp(seq: 4, op: delete), state: empty)]),
      .history([WireOp(SequencedOp(seq: 1, op: bind), state: empty)]),
      .historyEnd(to: 20),
      .op(WireOp(SequencedOp(seq: 5, op: setText), state: empty)),
      .ack(id(3), seq: 5),
      .ack(
        id(4), seq: 6,
        coords: NodeCoordinates(entries: ["sentiment": .init(at: 1.5, text: 1.25)])),
      ProtocolError.rateLimited(retryAfterMs: 250).nack(id(11)),
      ProtocolError.unknownNode("ghost").nack(id(12)),
      .drag(.init(from: 7, actor: "ada", node: "n1", x: 0.5, y: -1.25)),
      .presence(.init(from: 7, actor: "ada", cursor: [0.5, 0.75], selection: ["n1"])),
      .presence(.init(from: 7, actor: "ada", left: true)),
      ProtocolError.helloFirst.errorFrame,
      .preview(
        .init(
          node: "n1", x: 0.5, y: -1.25, text: "The flight was wonderful.", fidelity: 0.75,
          source: "generated")),
      .decodeStage(
        .init(
          node: "n1", answers: OpID(lamport: 12, replica: "r-ada"), stage: "bank",
          text: "The trip was lovely.", fidelity: 0.625, source: "bank")),
      .sweepStep(
        .init(
          node: "n1", axis: "sentiment", index: 8, steps: 9, value: 2,
          text: "The flight was a joy.", fidelity: 0.75, source: "generated",
          latent: LatentVector([Float](repeating: 0.05, count: 384)))),
      .op(
        WireOp(
          SequencedOp(
            seq: 7,
            op: Op(
              id: OpID(lamport: 13, replica: "latitude"), actor: "latitude",
              payload: .viewLayout(
                ViewLayout(
                  run: OpID(lamport: 12, replica: "latitude"), method: .umap,
                  params: .object([
                    "neighbors": .number(15), "minDist": .number(0.1), "epochs": .number(500),
                    "seed": .number(42),
                  ]),
                  positions: [MapPosition(node: "n1", x: 1.5, y: -0.25)])))),
          state: empty)),
      .op(
        WireOp(
          SequencedOp(
            seq: 8,
            op: Op(
              id: OpID(lamport: 14, replica: "r-ada"), actor: "ada",
              payload: .featureName(
                FeatureName(dictionary: "minilm-topk-4096", feature: 1234, name: "air travel")))),
          state: empty)),
      .op(
        WireOp(
          SequencedOp(
            seq: 9,
            op: Op(
              id: OpID(lamport: 15, replica: "r-ada"), actor: "ada",
              payload: .pluginsAllow(PluginsAllow(plugins: ["builtin-ops", "wasm:*"])))),
          state: empty)),
      .features(
        .init(
          node: "n1", dictionary: "minilm-topk-4096",
          features: [
            .init(
              id: 1234, label: "plane · aircraft · airplane", name: "air travel", activation: 0.25,
              relative: 2.5),
            .init(
              id: 77, label: "long · hours · minutes", name: nil, activation: 0.125, relative: 1.5),
          ])),
      .op(axisWire),
      .ack(axisCreate.id, seq: 10, op: axisWire.acksWithOp ? axisWire.op : nil),
    ]
    let frames = Self.frames("server")
    #expect(messages.count == frames.count)
    for (message, frame) in zip(messages, frames) {
      let encoded = try #require(Self.json(message.encoded()))
      #expect(encoded == frame as NSDictionary, "\(message.type)")
    }
  }

  @Test func broadcastsCarryNoLatents() throws {
    var state = DocumentState()
    let create = Op(
      id: OpID(lamport: 1, replica: "r"), actor: "a",
      payload: .nodeCreate(
        NodeCreate(node: "n", text: "x", latent: LatentVector([Float](repeating: 0.1, count: 384))))
    )
    state.apply(create)
    let frame = try #require(
      Self.json(ServerMessage.op(WireOp(SequencedOp(seq: 1, op: create), state: state)).encoded()))
    let payload = (frame["op"] as? NSDictionary)?["payload"] as? NSDictionary
    #expect(payload?["latent"] == nil)
    #expect(payload?["coords"] != nil, "a live node's broadcast carries its coords")
  }
}
