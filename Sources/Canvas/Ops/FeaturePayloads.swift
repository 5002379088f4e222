/// feature.name: a document's own name for a feature of a feature dictionary, shown to
/// everyone in place of the automatic label. One last-writer-wins register per
/// (dictionary, feature); an empty name goes back to the automatic label.
public struct FeatureName: Hashable, Sendable, Codable {
  /// The dictionary's name (e.g. "minilm-topk-4096"): names belong to one dictionary.
  public var dictionary: String
  /// The feature id in that dictionary.
  public var feature: Int
  /// The name; "" clears it.
  public var name: String

  /// Makes a feature.name payload.
  public init(dictionary: String, feature: Int, name: String) {
    self.dictionary = dictionary
    self.feature = feature
    self.name = name
  }

  /// The register this op writes.
  public var key: FeatureKey { FeatureKey(dictionary: dictionary, feature: feature) }
}

/// A feature of a named dictionary.
public struct FeatureKey: Hashable, Sendable, Comparable {
  /// The dictionary's name.
  public var dictionary: String
  /// The feature id.
  public var feature: Int

  /// Makes a key.
  public init(dictionary: String, feature: Int) {
    self.dictionary = dictionary
    self.feature = feature
  }

  public static func < (a: FeatureKey, b: FeatureKey) -> Bool {
    (a.dictionary, a.feature) < (b.dictionary, b.feature)
  }
}
