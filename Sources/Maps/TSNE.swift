import LatentMath

/// t-SNE's parameters, named and defaulted as in openTSNE.
public struct TSNEParameters: Sendable, Codable, Equatable {
  /// The effective number of neighbours each point's Gaussian covers (3 × perplexity
  /// neighbours are searched).
  public var perplexity: Double
  /// Attraction multiplier during the first phase.
  public var earlyExaggeration: Float
  /// Iterations of the first phase.
  public var earlyExaggerationIterations: Int
  /// Iterations after it.
  public var iterations: Int
  /// Barnes–Hut accuracy: a cell narrower than θ × its distance counts as one mass.
  public var theta: Float
  /// Seed of the PCA initialisation's sign choice and any tie-breaking; the fit is
  /// deterministic for a seed.
  public var seed: UInt64

  /// openTSNE's defaults.
  public init(
    perplexity: Double = 30, earlyExaggeration: Float = 12,
    earlyExaggerationIterations: Int = 250, iterations: Int = 500, theta: Float = 0.5,
    seed: UInt64 = 42
  ) {
    self.perplexity = perplexity
    self.earlyExaggeration = earlyExaggeration
    self.earlyExaggerationIterations = earlyExaggerationIterations
    self.iterations = iterations
    self.theta = theta
    self.seed = seed
  }

  func validate() throws {
    guard perplexity.isFinite, (1...100).contains(perplexity) else {
      throw MapError.invalidParameter("perplexity must be 1…100 (got \(perplexity))")
    }
    guard earlyExaggeration.isFinite, (1...100).contains(earlyExaggeration) else {
      throw MapError.invalidParameter("early_exaggeration must be 1…100")
    }
    guard (0...5000).contains(earlyExaggerationIterations), (1...10_000).contains(iterations)
    else { throw MapError.invalidParameter("iterations must be 1…10000") }
    guard theta.isFinite, (0...2).contains(theta) else {
      throw MapError.invalidParameter("theta must be 0…2")
    }
  }
}

/// A fitted t-SNE map: the layout and what `transform` needs.
public struct TSNEModel: Sendable {
  /// The parameters it was fitted with.
  public let parameters: TSNEParameters
  /// The input points, unit length.
  public let reference: Matrix
  /// Two floats per point.
  public let embedding: [Float]

  /// Wraps an existing layout so new points can be placed into it.
  public init(parameters: TSNEParameters, reference: Matrix, embedding: [Float]) throws {
    try parameters.validate()
    guard embedding.count == reference.rows * 2, embedding.allSatisfy({ $0.isFinite }) else {
      throw MapError.invalidParameter("a layout needs two finite coordinates per point")
    }
    try MapError.validate(
      reference.values, rows: reference.rows, columns: reference.columns, minimum: 1)
    self.parameters = parameters
    self.reference = NearestNeighbors.normalizedRows(reference)
    self.embedding = embedding
  }

  init(parameters: TSNEParameters, unitReference: Matrix, embedding: [Float]) {
    self.parameters = parameters
    self.reference = unitReference
    self.embedding = embedding
  }
}

/// t-distributed stochastic neighbour embedding to two dimensions on cosine distance,
/// with Barnes–Hut repulsion, as openTSNE runs it: PCA initialisation scaled to a standard
/// deviation of 1e-4, learning rate N / exaggeration, momentum 0.8, delta-bar-delta gains,
/// update steps clipped to norm 5. One thread; deterministic.
public enum TSNE {
  /// Lays out `points` (one per row; more than 3 × perplexity rows is not required: the
  /// neighbour count is capped at n − 1).
  public static func fit(
    _ points: Matrix, parameters: TSNEParameters = TSNEParameters(),
    progress: (@Sendable (MapProgress) -> Void)? = nil
  ) throws -> TSNEModel {
    try parameters.validate()
    let n = points.rows
    try MapError.validate(points.values, rows: n, columns: points.columns, minimum: 3)
    let unit = NearestNeighbors.normalizedRows(points)
    let k = min(n - 1, Int(3 * parameters.perplexity))
    let neighbors = NearestNeighbors.exact(unit, k: k) {
      progress?(MapProgress(stage: "neighbours", fraction: Double($0) / Double(n)))
    }
    progress?(MapProgress(stage: "affinities", fraction: 0))
    let affinities = PerplexityAffinities(
      neighbors, perplexity: min(parameters.perplexity, Double(k) / 3))
    var layout = initialLayout(unit)
    var optimizer = TSNEOptimizer(count: n, theta: parameters.theta)
    let total = parameters.earlyExaggerationIterations + parameters.iterations
    optimizer.run(
      layout: &layout, affinities: affinities, iterations: parameters.earlyExaggerationIterations,
      exaggeration: parameters.earlyExaggeration
    ) { done in
      progress?(MapProgress(stage: "optimisation", fraction: Double(done) / Double(total)))
    }
    optimizer.run(
      layout: &layout, affinities: affinities, iterations: parameters.iterations,
      exaggeration: 1
    ) { done in
      let overall = parameters.earlyExaggerationIterations + done
      progress?(MapProgress(stage: "optimisation", fraction: Double(overall) / Double(total)))
    }
    return TSNEModel(parameters: parameters, unitReference: unit, embedding: layout)
  }

  /// The top two principal components, scaled so the first has standard deviation 1e-4.
  static func initialLayout(_ points: Matrix) -> [Float] {
    let columns = UMAP.principalColumns(points)
    let n = points.rows
    let mean = columns[0].reduce(0, +) / Double(n)
    let variance = columns[0].reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
    let scale = variance > 0 ? 1e-4 / variance.squareRoot() : 1
    var layout = [Float](repeating: 0, count: 2 * n)
    for i in 0..<n {
      layout[2 * i] = Float(columns[0][i] * scale)
      layout[2 * i + 1] = Float(columns[1][i] * scale)
    }
    return layout
  }
}
