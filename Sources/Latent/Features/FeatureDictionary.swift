/// The sparse autoencoder and its catalogue together: what the CLI and the server load.
public struct FeatureDictionary: Sendable {
  /// The committed dictionary.
  public static let defaultDirectory = "Weights/features/minilm-topk-4096-e2b"

  /// Its name (the folder's).
  public let name: String
  /// The model.
  public let autoencoder: SparseAutoencoder
  /// Labels, examples and statistics.
  public let catalog: FeatureCatalog

  /// Loads both from a folder.
  public init(directory: String = FeatureDictionary.defaultDirectory) throws(FeatureError) {
    let autoencoder = try SparseAutoencoder(directory: directory)
    let catalog = try FeatureCatalog(path: directory + "/features.json")
    try self.init(
      name: String(directory.split(separator: "/").last ?? "features"), autoencoder: autoencoder,
      catalog: catalog)
  }

  /// Pairs a model with its catalogue.
  /// - Throws: `FeatureError.inconsistent` when their sizes differ.
  public init(name: String, autoencoder: SparseAutoencoder, catalog: FeatureCatalog)
    throws(FeatureError)
  {
    guard catalog.items.count == autoencoder.features else {
      throw .inconsistent(
        "features.json lists \(catalog.items.count) features; the weights have \(autoencoder.features)"
      )
    }
    self.name = name
    self.autoencoder = autoencoder
    self.catalog = catalog
  }

  /// One active feature of a text, with what is known of it.
  public struct Reading: Sendable, Hashable {
    /// Feature id.
    public var id: Int
    /// Its activation.
    public var activation: Float
    /// Its label.
    public var label: String
    /// The activation over the feature's median active value (1 = typical).
    public var relative: Float
  }

  /// The active features of an embedding, strongest first, at most `limit`.
  public func read(_ vector: [Float], limit: Int = 10) throws(FeatureError) -> [Reading] {
    let code = try autoencoder.encode(vector)
    return zip(code.indices, code.values).prefix(max(0, limit)).map { id, value in
      let info = catalog.info(id)
      let median = info?.activation?.median ?? 0
      return Reading(
        id: id, activation: value, label: info?.label ?? "feature \(id)",
        relative: median > 0 ? value / median : 0)
    }
  }

  /// A live feature, or `FeatureError.unknownFeature`.
  public func liveFeature(_ id: Int) throws(FeatureError) -> FeatureInfo {
    guard let info = catalog.info(id), info.isLive else { throw .unknownFeature(id) }
    return info
  }
}
