import Foundation

/// What is known of one feature of the dictionary (`features.json`, written at training).
public struct FeatureInfo: Sendable, Hashable, Codable {
  /// One top-activating train sentence.
  public struct Example: Sendable, Hashable, Codable {
    /// The sentence.
    public var text: String
    /// The feature's activation on it.
    public var activation: Float

    /// Makes an example.
    public init(text: String, activation: Float) {
      self.text = text
      self.activation = activation
    }
  }

  /// Quantiles of the feature's activations where it fires (train split).
  public struct Activation: Sendable, Hashable, Codable {
    /// Median active value.
    public var median: Float
    /// 90th percentile.
    public var p90: Float
    /// Largest value seen.
    public var max: Float

    /// Makes quantiles.
    public init(median: Float, p90: Float, max: Float) {
      self.median = median
      self.p90 = p90
      self.max = max
    }
  }

  /// Mean projection of train embeddings on the feature's direction.
  public struct Projection: Sendable, Hashable, Codable {
    /// Over all sentences (the feature is almost always off).
    public var off: Float
    /// Over the sentences where it fires.
    public var on: Float

    /// Makes projection means.
    public init(off: Float, on: Float) {
      self.off = off
      self.on = on
    }
  }

  /// Feature id (its row in the dictionary).
  public var id: Int
  /// The automatic label ("word · word · word"), or "" for a dead feature.
  public var label: String
  /// The label's words, most distinctive first.
  public var words: [String]
  /// Share of train sentences where it fires.
  public var density: Double
  /// True when it never fired on the train split.
  public var dead: Bool?
  /// Top-activating train sentences, strongest first.
  public var examples: [Example]
  /// Active-value quantiles (nil for a dead feature).
  public var activation: Activation?
  /// Projection means (nil for a dead feature).
  public var projection: Projection?

  /// Makes a feature's record.
  public init(
    id: Int, label: String, words: [String], density: Double, dead: Bool?, examples: [Example],
    activation: Activation?, projection: Projection?
  ) {
    self.id = id
    self.label = label
    self.words = words
    self.density = density
    self.dead = dead
    self.examples = examples
    self.activation = activation
    self.projection = projection
  }

  /// True when the feature fires on some train sentence.
  public var isLive: Bool { dead != true && activation != nil }
}

/// Every feature's label, examples and statistics, with a search over labels and examples.
public struct FeatureCatalog: Sendable {
  private struct File: Decodable {
    var features: Int
    var live: Int
    var items: [FeatureInfo]
  }

  /// Features by id (index = id).
  public let items: [FeatureInfo]
  /// How many fire on the train split.
  public let live: Int

  /// Loads `features.json`.
  public init(path: String) throws(FeatureError) {
    let file: File
    do {
      let data = try Data(contentsOf: URL(fileURLWithPath: path))
      file = try JSONDecoder().decode(File.self, from: data)
    } catch {
      throw .unreadable("\(path): \(error.localizedDescription)")
    }
    try self.init(items: file.items)
  }

  /// A catalogue from its items (ids must be 0, 1, 2, … in order).
  public init(items: [FeatureInfo]) throws(FeatureError) {
    for (index, item) in items.enumerated() where item.id != index {
      throw .inconsistent("feature list entry \(index) has id \(item.id)")
    }
    self.items = items
    self.live = items.filter(\.isLive).count
  }

  /// The feature with this id, if it exists.
  public func info(_ id: Int) -> FeatureInfo? {
    items.indices.contains(id) ? items[id] : nil
  }

  /// Live features whose label or examples mention every word of `query`, best first: a
  /// label word match ranks above an example match, then by how many examples match, then
  /// by density. At most `limit`.
  public func search(_ query: String, limit: Int = 20) -> [FeatureInfo] {
    let terms = query.lowercased().split { !$0.isLetter && !$0.isNumber && $0 != "'" }
      .map(String.init)
    guard !terms.isEmpty else { return [] }
    var scored: [(score: Double, item: FeatureInfo)] = []
    for item in items where item.isLive {
      let label = item.label.lowercased()
      let examples = item.examples.map { $0.text.lowercased() }
      var score = 0.0
      var allFound = true
      for term in terms {
        let inLabel = item.words.contains(term) ? 10.0 : (label.contains(term) ? 5.0 : 0)
        let inExamples = Double(examples.filter { $0.contains(term) }.count)
        if inLabel == 0, inExamples == 0 { allFound = false }
        score += inLabel + inExamples
      }
      if allFound { scored.append((score + item.density, item)) }
    }
    return scored.sorted { $0.score != $1.score ? $0.score > $1.score : $0.item.id < $1.item.id }
      .prefix(max(0, limit)).map(\.item)
  }
}
