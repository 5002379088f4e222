import Foundation
import Latent
import Testing

/// The sparse autoencoder's Swift inference: parity with the PyTorch model on committed
/// fixtures (made by `latitude_tools.train.features` from the fp16 weights), exact small
/// cases of top-k, decoding and both steering edits, and the catalogue's search.
@Suite struct FeatureDictionaryTests {
  struct Fixture: Decodable {
    struct Case: Decodable {
      var text: String
      var embedding: [Float]
      var indices: [Int]
      var values: [Float]
      var kth_margin: Float
      var reconstruction: [Float]
    }
    var model: String
    var k: Int
    var cases: [Case]
  }

  static let fixture: Fixture = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("Resources/features-parity.json")
    return try! JSONDecoder().decode(Fixture.self, from: try! Data(contentsOf: url))
  }()

  static func committed() throws -> FeatureDictionary {
    try FeatureDictionary(
      directory: EncoderFixtures.root.appendingPathComponent(fixture.model).path)
  }

  @Test func encoderAndDecoderMatchPyTorch() throws {
    let dictionary = try Self.committed()
    let sae = dictionary.autoencoder
    #expect(sae.k == Self.fixture.k)
    var worstValue: Float = 0
    var worstRecon: Float = 0
    for item in Self.fixture.cases {
      let code = try sae.encode(item.embedding)
      let positive = zip(item.indices, item.values).filter { $0.1 > 0 }
      // Features whose order could flip on a rounding tie are compared as a set.
      #expect(Set(code.indices) == Set(positive.map(\.0)), "\(item.text)")
      for (feature, value) in positive {
        worstValue = max(worstValue, abs(code.activation(of: feature) - value))
      }
      let reconstruction = sae.decode(code)
      worstRecon = max(
        worstRecon, zip(reconstruction, item.reconstruction).map { abs($0 - $1) }.max() ?? 0)
    }
    #expect(worstValue <= 1e-4, "activations: max abs diff \(worstValue)")
    #expect(worstRecon <= 1e-4, "reconstructions: max abs diff \(worstRecon)")
    print("feature parity: activations \(worstValue), reconstructions \(worstRecon)")
  }

  @Test func committedCatalogueDescribesEveryFeature() throws {
    let dictionary = try Self.committed()
    #expect(dictionary.catalog.items.count == dictionary.autoencoder.features)
    #expect(dictionary.catalog.live > dictionary.autoencoder.features * 9 / 10)
    for info in dictionary.catalog.items where info.isLive {
      #expect(!info.label.isEmpty && !info.examples.isEmpty && info.density > 0)
      #expect((info.projection?.on ?? 0) > (info.projection?.off ?? 0), "feature \(info.id)")
    }
  }

  /// Three features in 4-D: e1, e2, e3 directions (identity encoder and decoder), k = 2.
  static func tiny(k: Int = 2) throws -> SparseAutoencoder {
    let rows: [Float] = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]
    return try SparseAutoencoder(
      dimension: 4, features: 3, k: k, encoderWeight: rows, encoderBias: [0, 0, -0.1],
      decoderWeight: rows, decoderBias: [0, 0, 0, 0])
  }

  @Test func topKKeepsTheLargestPositiveActivations() throws {
    let sae = try Self.tiny()
    let code = try sae.encode([0.2, 0.7, 0.5, 0.1])
    #expect(code.indices == [1, 2])
    #expect(abs(code.values[0] - 0.7) < 1e-6 && abs(code.values[1] - 0.4) < 1e-6)
    #expect(code.activation(of: 0) == 0)
    // Negative pre-activations never count as active, even within the top k.
    #expect(try sae.encode([-0.5, 0.3, -0.2, 0]).indices == [1])
    #expect(sae.decode(code) == [0, 0.7, 0.4, 0].map { Float($0) })
  }

  @Test func badVectorsAndFeaturesAreRefused() throws {
    let sae = try Self.tiny()
    #expect(throws: FeatureError.self) { try sae.encode([1, 0, 0]) }
    #expect(throws: FeatureError.self) { try sae.encode([.nan, 0, 0, 0]) }
    #expect(throws: FeatureError.self) { try sae.direction(3) }
    #expect(throws: FeatureError.self) {
      try sae.steer([1, 0, 0, 0], feature: 0, target: -1, edit: .translate)
    }
    #expect(throws: FeatureError.self) {
      try SparseAutoencoder(
        dimension: 4, features: 3, k: 4, encoderWeight: [], encoderBias: [], decoderWeight: [],
        decoderBias: [])
    }
  }

  @Test func bothEditsTurnAFeatureOnAndKeepUnitLength() throws {
    // k = 3: every feature can be active (with k = 2 the two larger ones crowd it out).
    let sae = try Self.tiny(k: 3)
    let start: [Float] = [0.8, 0.6, 0, 0]
    for edit in SteerEdit.allCases {
      let result = try sae.steer(start, feature: 2, target: 0.5, edit: edit)
      let norm = result.latent.reduce(0) { $0 + $1 * $1 }.squareRoot()
      #expect(abs(norm - 1) < 1e-5, "\(edit)")
      #expect(result.before == 0)
      #expect(result.after > 0.2, "\(edit): \(result.after)")
      if edit == .optimize {
        // The optimising edit keeps going until the encoder reads the target.
        #expect(abs(result.after - 0.5) <= 0.05, "\(result)")
      }
    }
  }

  @Test func optimisingPushesAFeatureIntoTheTopK() throws {
    // With k = 2 a translated feature can stay below the two stronger ones; the optimising
    // edit raises its pre-activation until the encoder keeps it.
    let sae = try Self.tiny(k: 2)
    let start: [Float] = [0.8, 0.6, 0, 0]
    #expect(try sae.steer(start, feature: 2, target: 0.5, edit: .translate).after == 0)
    #expect(try sae.steer(start, feature: 2, target: 0.5, edit: .optimize).after > 0.2)
  }

  @Test func optimisingTurnsAFeatureOff() throws {
    let sae = try Self.tiny()
    let result = try sae.steer([0.6, 0.8, 0, 0], feature: 1, target: 0, edit: .optimize)
    #expect(result.before > 0.7)
    #expect(result.after == 0)
  }

  @Test func searchRanksLabelWordsAboveExamples() throws {
    func item(_ id: Int, _ words: [String], _ examples: [String], density: Double = 0.01)
      -> FeatureInfo
    {
      FeatureInfo(
        id: id, label: words.joined(separator: " · "), words: words, density: density, dead: nil,
        examples: examples.map { .init(text: $0, activation: 1) },
        activation: .init(median: 0.1, p90: 0.2, max: 0.3), projection: .init(off: 0, on: 0.2))
    }
    let catalog = try FeatureCatalog(items: [
      item(0, ["flight", "airport"], ["The flight left late."]),
      item(1, ["cooking"], ["I love cooking pasta.", "A flight of stairs."]),
      FeatureInfo(
        id: 2, label: "", words: [], density: 0, dead: true, examples: [], activation: nil,
        projection: nil),
    ])
    #expect(catalog.live == 2)
    #expect(catalog.search("flight").map(\.id) == [0, 1])
    #expect(catalog.search("Cooking pasta").map(\.id) == [1])
    #expect(catalog.search("   ").isEmpty)
    #expect(catalog.search("zebra").isEmpty)
    #expect(throws: FeatureError.self) { try FeatureCatalog(items: [item(1, ["x"], [])]) }
  }
}
