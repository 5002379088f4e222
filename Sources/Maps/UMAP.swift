import LatentMath

/// UMAP's parameters, named as in umap-learn.
public struct UMAPParameters: Sendable, Codable, Equatable {
  /// Neighbourhood size, the point itself included (umap-learn's `n_neighbors`).
  public var neighbors: Int
  /// How tightly points may pack in the layout.
  public var minDist: Float
  /// SGD epochs; nil picks 500 below 10,000 points and 200 above.
  public var epochs: Int?
  /// The seed of every random draw (initial noise, negative samples).
  public var seed: UInt64
  /// Negative samples per positive one.
  public var negativeSampleRate: Int
  /// Initial SGD step.
  public var learningRate: Float

  /// umap-learn's defaults.
  public init(
    neighbors: Int = 15, minDist: Float = 0.1, epochs: Int? = nil, seed: UInt64 = 42,
    negativeSampleRate: Int = 5, learningRate: Float = 1
  ) {
    self.neighbors = neighbors
    self.minDist = minDist
    self.epochs = epochs
    self.seed = seed
    self.negativeSampleRate = negativeSampleRate
    self.learningRate = learningRate
  }

  /// The epochs a fit of `count` points runs.
  public func fitEpochs(count: Int) -> Int { epochs ?? (count <= 10_000 ? 500 : 200) }

  /// The epochs a transform runs (a third of explicit epochs, as uwot and umap-learn do;
  /// 100 below 10,000 reference points and 30 above by default).
  public func transformEpochs(referenceCount: Int) -> Int {
    if let epochs { return max(1, epochs / 3) }
    return referenceCount <= 10_000 ? 100 : 30
  }

  func validate() throws {
    guard (2...200).contains(neighbors) else {
      throw MapError.invalidParameter("neighbors must be 2…200 (got \(neighbors))")
    }
    guard minDist.isFinite, (0...1).contains(minDist) else {
      throw MapError.invalidParameter("min_dist must be 0…1 (got \(minDist))")
    }
    if let epochs, !(1...10_000).contains(epochs) {
      throw MapError.invalidParameter("epochs must be 1…10000 (got \(epochs))")
    }
    guard (1...50).contains(negativeSampleRate) else {
      throw MapError.invalidParameter("negative_sample_rate must be 1…50")
    }
    guard learningRate.isFinite, learningRate > 0, learningRate <= 10 else {
      throw MapError.invalidParameter("learning_rate must be in (0, 10]")
    }
  }
}

/// How a map's starting layout was made.
public enum MapInitialization: String, Sendable, Codable {
  /// Laplacian eigenvectors of the neighbour graph.
  case spectral
  /// The top two principal components (the fallback for a disconnected graph).
  case pca
}

/// A fitted UMAP: the layout and what `transform` needs to place new points into it.
public struct UMAPModel: Sendable {
  /// The parameters it was fitted with.
  public let parameters: UMAPParameters
  /// The fitted curve parameters.
  public let curve: UMAPCurve
  /// The input points, unit length.
  public let reference: Matrix
  /// Two floats per point: the layout.
  public let embedding: [Float]
  /// How the starting layout was made.
  public let initialization: MapInitialization

  /// Wraps an existing layout (for instance one read from a document's log) so new points
  /// can be placed into it. `embedding` holds two floats per row of `reference`.
  public init(parameters: UMAPParameters, reference: Matrix, embedding: [Float]) throws {
    try parameters.validate()
    guard embedding.count == reference.rows * 2, embedding.allSatisfy({ $0.isFinite }) else {
      throw MapError.invalidParameter("a layout needs two finite coordinates per point")
    }
    try MapError.validate(
      reference.values, rows: reference.rows, columns: reference.columns, minimum: 1)
    self.init(
      parameters: parameters, curve: UMAPCurve(minDist: parameters.minDist),
      reference: NearestNeighbors.normalizedRows(reference), embedding: embedding,
      initialization: .spectral)
  }

  init(
    parameters: UMAPParameters, curve: UMAPCurve, reference: Matrix, embedding: [Float],
    initialization: MapInitialization
  ) {
    self.parameters = parameters
    self.curve = curve
    self.reference = reference
    self.embedding = embedding
    self.initialization = initialization
  }
}

/// Uniform Manifold Approximation and Projection to two dimensions, on cosine distance.
public enum UMAP {
  /// Lays out `points` (one per row; at least 3). Deterministic for a seed.
  public static func fit(
    _ points: Matrix, parameters: UMAPParameters = UMAPParameters(),
    progress: (@Sendable (MapProgress) -> Void)? = nil
  ) throws -> UMAPModel {
    try parameters.validate()
    let n = points.rows
    try MapError.validate(points.values, rows: n, columns: points.columns, minimum: 3)
    let unit = NearestNeighbors.normalizedRows(points)
    let neighbors = NearestNeighbors.exact(unit, k: min(parameters.neighbors - 1, n - 1)) {
      progress?(MapProgress(stage: "neighbours", fraction: Double($0) / Double(n)))
    }
    progress?(MapProgress(stage: "graph", fraction: 0))
    let graph = FuzzyGraph(neighbors: neighbors)
    progress?(MapProgress(stage: "initialisation", fraction: 0))
    var rng = SplitMix64(seed: parameters.seed)
    let (start, initialization) = initialLayout(graph, points: unit, rng: &rng)
    let curve = UMAPCurve(minDist: parameters.minDist)
    var embedding = start
    let optimizer = UMAPOptimizer(
      curve: curve, epochs: parameters.fitEpochs(count: n),
      negativeSampleRate: parameters.negativeSampleRate, learningRate: parameters.learningRate)
    optimizer.optimize(
      head: &embedding, tail: nil, edges: (graph.heads, graph.tails), weights: graph.weights,
      rng: &rng
    ) { progress?(MapProgress(stage: "optimisation", fraction: $0)) }
    return UMAPModel(
      parameters: parameters, curve: curve, reference: unit, embedding: embedding,
      initialization: initialization)
  }

  /// Spectral layout (PCA when the graph is disconnected), scaled as umap-learn does: to
  /// ±10, tiny Gaussian noise, then each coordinate to [0, 10].
  static func initialLayout(
    _ graph: FuzzyGraph, points: Matrix, rng: inout SplitMix64
  ) -> ([Float], MapInitialization) {
    let n = graph.count
    var columns: [[Double]]
    var kind = MapInitialization.spectral
    if let spectral = SpectralLayout.layout(graph, seed: rng.next()) {
      columns = spectral
    } else {
      kind = .pca
      columns = principalColumns(points)
    }
    let peak = columns.flatMap { $0 }.map(abs).max() ?? 0
    let expansion = peak > 0 ? 10 / peak : 1
    var layout = [Float](repeating: 0, count: n * 2)
    for i in 0..<n {
      for c in 0..<2 {
        layout[2 * i + c] = Float(columns[c][i] * expansion) + 0.0001 * rng.nextGaussian()
      }
    }
    for c in 0..<2 {
      let values = stride(from: c, to: layout.count, by: 2).map { layout[$0] }
      let low = values.min() ?? 0
      let span = (values.max() ?? 0) - low
      for i in 0..<n { layout[2 * i + c] = span > 0 ? 10 * (layout[2 * i + c] - low) / span : 5 }
    }
    return (layout, kind)
  }

  /// Coordinates of the points on their top two principal components (zeros when PCA fails).
  static func principalColumns(_ points: Matrix) -> [[Double]] {
    let rows = (0..<points.rows).map { points.row($0) }
    guard let pca = PrincipalComponents(points: rows, count: 2), pca.components.count == 2 else {
      return [[Double]](repeating: [Double](repeating: 0, count: points.rows), count: 2)
    }
    return pca.components.map { component in
      rows.map { row in
        var sum = 0.0
        for c in 0..<row.count { sum += Double((row[c] - pca.mean[c]) * component[c]) }
        return sum
      }
    }
  }
}
