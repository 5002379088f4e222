import Canvas
import LatentMath
import Maps

/// Runs the rooms' map computations (off the room queues): reads an op.apply's params
/// into the method's parameters, fits the map, and places nodes into an existing map by
/// the method's transform.
enum MapRunner {
  /// The parameters each method takes, for error messages.
  static let parameterNames: [MapMethod: [String]] = [
    .umap: ["neighbors", "minDist", "epochs", "seed"],
    .tsne: ["perplexity", "iterations", "exaggerationIterations", "theta", "seed"],
  ]

  /// Fits the job's map; the params returned are the ones used (defaults filled in, the
  /// seed included), which the op.apply and the layout log.
  static func layout(_ job: RoomCore.MapJob) -> Result<
    (params: JSONValue, positions: [MapPosition]), ProtocolError
  > {
    do throws(ProtocolError) {
      let points = matrix(job.latents)
      let embedding: [Float]
      let used: JSONValue
      switch job.method {
      case .umap:
        let parameters = try umapParameters(job.params)
        embedding = try mapped { try UMAP.fit(points, parameters: parameters).embedding }
        used = umapJSON(parameters, count: points.rows)
      case .tsne:
        let parameters = try tsneParameters(job.params)
        embedding = try mapped { try TSNE.fit(points, parameters: parameters).embedding }
        used = tsneJSON(parameters)
      }
      let positions = job.nodes.enumerated().map { index, node in
        MapPosition(node: node, x: embedding[2 * index], y: embedding[2 * index + 1])
      }
      return .success((used, positions))
    } catch {
      return .failure(error)
    }
  }

  /// Places the job's nodes among its reference nodes without moving them.
  static func place(_ job: RoomCore.PlacementJob) -> Result<[MapPosition], ProtocolError> {
    do throws(ProtocolError) {
      let reference = matrix(job.referenceLatents)
      let layout = job.referencePositions.flatMap { [$0.x, $0.y] }
      let points = matrix(job.latents)
      let placed: [Float]
      switch job.method {
      case .umap:
        let parameters = try umapParameters(job.params)
        placed = try mapped {
          try UMAPModel(parameters: parameters, reference: reference, embedding: layout)
            .transform(points)
        }
      case .tsne:
        let parameters = try tsneParameters(job.params)
        placed = try mapped {
          try TSNEModel(parameters: parameters, reference: reference, embedding: layout)
            .transform(points)
        }
      }
      return .success(
        job.nodes.enumerated().map { index, node in
          MapPosition(node: node, x: placed[2 * index], y: placed[2 * index + 1])
        })
    } catch {
      return .failure(error)
    }
  }

  static func umapParameters(_ params: JSONValue) throws(ProtocolError) -> UMAPParameters {
    let fields = try object(params, method: .umap)
    var parameters = UMAPParameters()
    if let value = try integer(fields, "neighbors") { parameters.neighbors = value }
    if let value = try number(fields, "minDist") { parameters.minDist = Float(value) }
    if let value = try integer(fields, "epochs") { parameters.epochs = value }
    if let value = try integer(fields, "seed") { parameters.seed = UInt64(value) }
    return parameters
  }

  static func tsneParameters(_ params: JSONValue) throws(ProtocolError) -> TSNEParameters {
    let fields = try object(params, method: .tsne)
    var parameters = TSNEParameters()
    if let value = try number(fields, "perplexity") { parameters.perplexity = value }
    if let value = try integer(fields, "iterations") { parameters.iterations = value }
    if let value = try integer(fields, "exaggerationIterations") {
      parameters.earlyExaggerationIterations = value
    }
    if let value = try number(fields, "theta") { parameters.theta = Float(value) }
    if let value = try integer(fields, "seed") { parameters.seed = UInt64(value) }
    return parameters
  }

  private static func umapJSON(_ p: UMAPParameters, count: Int) -> JSONValue {
    .object([
      "neighbors": .number(Double(p.neighbors)), "minDist": .number(shortest(p.minDist)),
      "epochs": .number(Double(p.fitEpochs(count: count))), "seed": .number(Double(p.seed)),
    ])
  }

  private static func tsneJSON(_ p: TSNEParameters) -> JSONValue {
    .object([
      "perplexity": .number(p.perplexity), "iterations": .number(Double(p.iterations)),
      "exaggerationIterations": .number(Double(p.earlyExaggerationIterations)),
      "theta": .number(shortest(p.theta)), "seed": .number(Double(p.seed)),
    ])
  }

  /// A Float as the Double with the same shortest decimal form (0.1, not 0.10000000149).
  private static func shortest(_ value: Float) -> Double { Double("\(value)") ?? Double(value) }

  private static func object(_ params: JSONValue, method: MapMethod) throws(ProtocolError)
    -> [String: JSONValue]
  {
    guard case .object(let fields) = params else {
      throw .malformed("params must be a JSON object")
    }
    let known = parameterNames[method] ?? []
    if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) {
      throw .malformed(
        "unknown parameter '\(unknown)' (a \(method.rawValue) map takes "
          + known.joined(separator: ", ") + ")")
    }
    return fields
  }

  private static func number(_ fields: [String: JSONValue], _ key: String) throws(ProtocolError)
    -> Double?
  {
    guard let value = fields[key] else { return nil }
    guard case .number(let number) = value, number.isFinite else {
      throw .malformed("\(key) must be a number")
    }
    return number
  }

  private static func integer(_ fields: [String: JSONValue], _ key: String) throws(ProtocolError)
    -> Int?
  {
    guard let number = try number(fields, key) else { return nil }
    guard number.rounded() == number, number >= 0, number < 9e15 else {
      throw .malformed("\(key) must be a whole number ≥ 0")
    }
    return Int(number)
  }

  private static func matrix(_ latents: [LatentVector]) -> Matrix {
    let dimension = latents.first?.count ?? 0
    return Matrix(
      rows: latents.count, columns: dimension, values: latents.flatMap { $0.floats })
  }

  private static func mapped<T>(_ body: () throws -> T) throws(ProtocolError) -> T {
    do { return try body() } catch let error as MapError {
      throw .malformed("map: \(error)")
    } catch {
      throw .internalError("map: \(error)")
    }
  }
}
