import Canvas
import Foundation
import Latent
import Logging
import Testing

@testable import PluginHost

/// Axis packs: building, caching, refusals, and the built-in pack's cached directions.
@Suite struct AxisPackTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
  static let encoder = try? SentenceEncoder(
    directory: root.appendingPathComponent(SentenceEncoder.defaultDirectory).path)

  func builder() throws -> AxisBuilder {
    AxisBuilder(encoder: try #require(Self.encoder, "run make weights"))
  }

  func folder(_ files: [String: String]) throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("packs-\(UUID())")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    for (name, text) in files { try Data(text.utf8).write(to: url.appendingPathComponent(name)) }
    return url.path
  }

  static let food = """
    {"name": "team", "version": "1", "axes": [
      {"id": "food", "name": "Food", "poles": {"negative": "weather", "positive": "food"},
       "examples": {"negative": ["It rained all day.", "The wind was cold."],
                    "positive": ["The bread was warm.", {"text": "We ate spicy noodles.", "weight": 2}]}},
      {"id": "anti-food", "name": "Anti", "poles": {"negative": "food", "positive": "weather"},
       "combine": [{"axis": "food", "weight": -1}]}
    ]}
    """

  @Test func examplesAndCombinationsBuild() throws {
    let registry = AxisRegistry(
      directories: [try folder(["a.json": Self.food])], builder: try builder(),
      logger: Logger(label: "t"))
    #expect(registry.refusals.isEmpty)
    let food = try #require(registry.axis("food"))
    let anti = try #require(registry.axis("anti-food"))
    #expect(abs(VectorMath.norm(food.direction) - 1) < 1e-4)
    #expect(zip(food.direction, anti.direction).allSatisfy { abs($0 + $1) < 1e-6 })
    let encoder = try #require(Self.encoder)
    let meal = food.coordinate(of: encoder.encode("A bowl of hot soup and fresh bread."))
    let storm = food.coordinate(of: encoder.encode("A storm with heavy rain and wind."))
    #expect(meal > storm)
  }

  @Test func badPacksAndAxesAreRefusedOthersLoad() throws {
    let files = [
      "1-good.json": Self.food,
      "2-not-json.json": "{nope",
      "3-bad-axis.json": """
      {"name": "bad", "version": "1", "axes": [
        {"id": "x y", "name": "X", "poles": {"negative": "a", "positive": "b"}, "examples": {"negative": ["a"], "positive": ["b"]}},
        {"id": "both", "name": "B", "poles": {"negative": "a", "positive": "b"}},
        {"id": "ghost", "name": "G", "poles": {"negative": "a", "positive": "b"}, "combine": [{"axis": "nope", "weight": 1}]},
        {"id": "food", "name": "Again", "poles": {"negative": "a", "positive": "b"}, "examples": {"negative": ["a"], "positive": ["b"]}},
        {"id": "fine", "name": "Fine", "poles": {"negative": "sad", "positive": "happy"}, "examples": {"negative": ["I am sad."], "positive": ["I am happy."]}}
      ]}
      """,
    ]
    let registry = AxisRegistry(
      directories: [try folder(files)], builder: try builder(), logger: Logger(label: "t"))
    #expect(registry.axes.map(\.id) == ["food", "anti-food", "fine"])
    #expect(registry.refusals.count == 5)
    #expect(registry.refusals.contains { if case .malformed = $0 { true } else { false } })
    #expect(registry.refusals.contains(.duplicate(axis: "food", first: "team", second: "bad")))
  }

  @Test func theBuiltInPackUsesItsCacheAndCoversTheRequiredAxes() throws {
    let path = Self.root.appendingPathComponent("AxisPacks/builtin.json").path
    let pack = try AxisRegistry.read(path)
    #expect(
      Set(pack.axes.map(\.id)).isSuperset(of: [
        "sentiment", "length", "formality", "question", "concreteness",
      ]))
    for definition in pack.axes {
      let cached = try #require(definition.computed, "\(definition.id) has no cached build")
      #expect(
        cached.definitionSHA256 == AxisBuilder.definitionHash(definition),
        "\(definition.id): stale cache")
      #expect(definition.source?.isEmpty == false, "\(definition.id) must name its data")
    }
    let start = Date()
    let registry = AxisRegistry(
      directories: [Self.root.appendingPathComponent("AxisPacks").path], builder: try builder(),
      logger: Logger(label: "t"))
    #expect(registry.refusals.isEmpty)
    #expect(Date().timeIntervalSince(start) < 30, "cached directions should load without encoding")
    let encoder = try #require(Self.encoder)
    let sentiment = try #require(registry.axis("sentiment"))
    #expect(
      sentiment.coordinate(of: encoder.encode("What a wonderful, delightful film."))
        > sentiment.coordinate(of: encoder.encode("A dreadful, boring waste of time.")))
    let question = try #require(registry.axis("question"))
    #expect(
      question.coordinate(of: encoder.encode("Where did you put the keys?"))
        > question.coordinate(of: encoder.encode("I put the keys on the table.")))
  }

  @Test func paramsAreCheckedAgainstSchemas() throws {
    let schema = try JSONDecoder().decode(
      JSONValue.self,
      from: Data(
        """
        {"type":"object","required":["n"],"properties":{"n":{"type":"integer","minimum":1,"maximum":5},
         "w":{"type":"array","items":{"type":"number","minimum":0}}},"additionalProperties":false}
        """.utf8))
    func problem(_ json: String) throws -> String? {
      ParamsValidator.problem(
        try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)), schema)
    }
    #expect(try problem(#"{"n": 3, "w": [1, 2]}"#) == nil)
    #expect(try problem(#"{}"#) == "params.n is required")
    #expect(try problem(#"{"n": 2.5}"#) == "params.n must be an integer")
    #expect(try problem(#"{"n": 9}"#) == "params.n must be at most 5.0")
    #expect(try problem(#"{"n": 1, "w": [1, -1]}"#) == "params.w[1] must be at least 0.0")
    #expect(try problem(#"{"n": 1, "x": 1}"#) == "params.x is not a known parameter")
    #expect(try problem(#"[1]"#) == "params must be an object")
  }
}
