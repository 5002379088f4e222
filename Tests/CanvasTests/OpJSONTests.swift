import Canvas
import CanvasTestSupport
import Foundation
import Testing

@Suite struct OpJSONTests {
  @Test("every kind round-trips through JSON", arguments: 0..<20)
  func roundTrip(seed: Int) throws {
    let history = ConcurrentHistory(seed: UInt64(seed), count: 40, dimension: 384)
    for op in history.ops {
      let data = try JSONEncoder().encode(op)
      #expect(try JSONDecoder().decode(Op.self, from: data) == op)
    }
  }

  @Test func viewBindDistinguishesAbsentFromNull() throws {
    let decoded = try JSONDecoder().decode(ViewBind.self, from: Data(#"{"x":null,"y":"len"}"#.utf8))
    #expect(decoded == ViewBind(x: .clear, y: .bind("len")))
    let absent = try JSONDecoder().decode(ViewBind.self, from: Data("{}".utf8))
    #expect(absent == ViewBind())
    let encoded = String(decoding: try JSONEncoder().encode(ViewBind(x: .clear)), as: UTF8.self)
    #expect(encoded == #"{"x":null}"#)
  }

  @Test func latentsTravelAsBase64FP16() throws {
    let op = OpFixtures.create("n", "hi", at: OpFixtures.id(1))
    let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(op)) as? [String: Any]
    let payload = object?["payload"] as? [String: Any]
    let latent = try #require(payload?["latent"] as? String)
    #expect(Data(base64Encoded: latent)?.count == 768)
  }

  @Test func malformedLatentIsRejected() {
    let json =
      #"{"node":"n","text":"x","latent":"not base64!","origin":{"kind":"typed","parents":[]}}"#
    #expect(throws: DecodingError.self) {
      try JSONDecoder().decode(NodeCreate.self, from: Data(json.utf8))
    }
  }
}
