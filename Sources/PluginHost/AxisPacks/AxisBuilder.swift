import Canvas
import Crypto
import Foundation
import Latent

/// Builds axes from pack definitions: the weighted mean difference of the two poles'
/// embeddings, or a class-balanced ridge logistic regression (Newton steps, LAPACK
/// Cholesky), or a weighted combination of earlier axes. The calibration maps each pole's
/// mean projection to −1 and +1.
public struct AxisBuilder: Sendable {
  /// The encoder the examples are embedded with.
  public let encoder: SentenceEncoder
  /// Worker threads for encoding examples.
  public var threads: Int

  /// Limits that keep a pack (or a live axis.create) cheap to build.
  public static let maxExamplesPerPole = 20_000
  public static let maxTextLength = 2_000

  /// Makes a builder.
  public init(encoder: SentenceEncoder, threads: Int = 1) {
    self.encoder = encoder
    self.threads = threads
  }

  /// The axis for `definition`, from its cached build when that still matches.
  /// - Throws: `AxisPackError.invalidAxis` naming what is wrong.
  public func build(
    _ definition: AxisDefinition, pack: AxisPack, known: [String: BuiltAxis]
  ) throws(AxisPackError) -> BuiltAxis {
    func invalid(_ detail: String) -> AxisPackError {
      .invalidAxis(pack: pack.name, axis: definition.id, detail: detail)
    }
    try Self.validate(definition, pack: pack)
    let poles = AxisPoles(negative: definition.poles.negative, positive: definition.poles.positive)
    func axis(_ direction: [Float], _ negative: Float, _ positive: Float) -> BuiltAxis {
      BuiltAxis(
        id: definition.id, name: definition.name, poles: poles, direction: direction,
        calibration: AxisCalibration(negativeMean: negative, positiveMean: positive),
        pack: pack.name, version: pack.version, source: definition.source)
    }
    if let cached = definition.computed, cached.encoder == encoder.name,
      cached.definitionSHA256 == Self.definitionHash(definition),
      let direction = try? HalfPrecisionCodec.decode(base64: cached.direction).floats,
      direction.count == encoder.dimension
    {
      return axis(direction, cached.negativeMean, cached.positiveMean)
    }
    if let components = definition.combine {
      var sum = [Float](repeating: 0, count: encoder.dimension)
      var negative: Float = 0
      var positive: Float = 0
      for component in components {
        guard let base = known[component.axis] else {
          throw invalid("combines unknown axis '\(component.axis)' (define it earlier)")
        }
        for i in sum.indices { sum[i] += component.weight * base.direction[i] }
        negative += component.weight * base.calibration.negativeMean
        positive += component.weight * base.calibration.positiveMean
      }
      let norm = VectorMath.norm(sum)
      guard norm > 1e-6 else { throw invalid("its components cancel out") }
      return axis(sum.map { $0 / norm }, negative / norm, positive / norm)
    }
    let examples = definition.examples!
    let negatives = encoder.encode(examples.negative.map(\.text), threads: threads)
    let positives = encoder.encode(examples.positive.map(\.text), threads: threads)
    let negativeWeights = examples.negative.map { $0.weight ?? 1 }
    let positiveWeights = examples.positive.map { $0.weight ?? 1 }
    let direction: [Float]
    if definition.method == "logistic" {
      direction = Self.logisticDirection(
        positives: positives, positiveWeights: positiveWeights, negatives: negatives,
        negativeWeights: negativeWeights)
    } else {
      let difference = zip(
        Self.weightedMean(positives, positiveWeights), Self.weightedMean(negatives, negativeWeights)
      ).map { $0 - $1 }
      direction = LatentGeometry.normalized(difference)
    }
    guard VectorMath.norm(direction) > 0.5 else { throw invalid("the two poles do not differ") }
    let projectedMean = { (vectors: [[Float]], weights: [Float]) -> Float in
      let total = weights.reduce(0, +)
      return zip(vectors, weights).map { VectorMath.dot($0, direction) * $1 }.reduce(0, +) / total
    }
    let negative = projectedMean(negatives, negativeWeights)
    let positive = projectedMean(positives, positiveWeights)
    guard positive - negative > 1e-4 else {
      throw invalid("the poles' mean projections do not separate (\(negative) vs \(positive))")
    }
    return axis(direction, negative, positive)
  }

  /// Checks the shape of a definition before any work.
  static func validate(_ d: AxisDefinition, pack: AxisPack) throws(AxisPackError) {
    func invalid(_ detail: String) -> AxisPackError {
      .invalidAxis(pack: pack.name, axis: d.id, detail: detail)
    }
    let idCharacters = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))
    guard !d.id.isEmpty, d.id.count <= 64, d.id.unicodeScalars.allSatisfy(idCharacters.contains)
    else { throw invalid("ids are 1–64 letters, digits, '-', '_' or '.'") }
    guard !d.name.isEmpty, d.name.count <= 128, !d.poles.negative.isEmpty,
      !d.poles.positive.isEmpty
    else { throw invalid("name and both pole labels must be non-empty") }
    guard (d.examples == nil) != (d.combine == nil) else {
      throw invalid("give either examples or combine")
    }
    if let method = d.method, !["mean-difference", "logistic"].contains(method) {
      throw invalid("method must be mean-difference or logistic, not '\(method)'")
    }
    if let combine = d.combine {
      guard !combine.isEmpty, combine.allSatisfy({ $0.weight.isFinite }) else {
        throw invalid("combine needs at least one component with a finite weight")
      }
    }
    if let examples = d.examples {
      for (pole, list) in [("negative", examples.negative), ("positive", examples.positive)] {
        guard !list.isEmpty, list.count <= maxExamplesPerPole else {
          throw invalid("the \(pole) pole needs 1–\(maxExamplesPerPole) examples")
        }
        for example in list {
          guard !example.text.trimmingCharacters(in: .whitespaces).isEmpty,
            example.text.count <= maxTextLength
          else { throw invalid("\(pole) examples must be 1–\(maxTextLength) characters") }
          if let weight = example.weight, !(weight.isFinite && weight > 0) {
            throw invalid("example weights must be positive and finite")
          }
        }
      }
    }
  }

  /// sha256 of the parts that determine the result (method, examples, components).
  public static func definitionHash(_ d: AxisDefinition) -> String {
    struct Key: Encodable {
      var method: String
      var examples: AxisDefinition.Examples?
      var combine: [AxisDefinition.Component]?
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let data =
      (try? encoder.encode(
        Key(method: d.method ?? "mean-difference", examples: d.examples, combine: d.combine)))
      ?? Data()
    return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
  }

  static func weightedMean(_ vectors: [[Float]], _ weights: [Float]) -> [Float] {
    var sum = [Float](repeating: 0, count: vectors.first?.count ?? 0)
    for (vector, weight) in zip(vectors, weights) {
      for i in sum.indices { sum[i] += weight * vector[i] }
    }
    let total = weights.reduce(0, +)
    return sum.map { $0 / total }
  }

  /// The unit weight vector of a class-balanced, ridge-regularised logistic regression
  /// (with a bias), fitted by Newton's method (10 steps).
  static func logisticDirection(
    positives: [[Float]], positiveWeights: [Float], negatives: [[Float]], negativeWeights: [Float]
  ) -> [Float] {
    let d = positives[0].count + 1  // last feature is the bias
    let rows = positives + negatives
    let labels =
      [Double](repeating: 1, count: positives.count)
      + [Double](repeating: 0, count: negatives.count)
    let positiveTotal = Double(positiveWeights.reduce(0, +))
    let negativeTotal = Double(negativeWeights.reduce(0, +))
    // Each class carries half of the total weight.
    let weights =
      positiveWeights.map { Double($0) / positiveTotal / 2 }
      + negativeWeights.map { Double($0) / negativeTotal / 2 }
    let x = rows.map { $0.map(Double.init) + [1] }
    let ridge = 1e-3
    var beta = [Double](repeating: 0, count: d)
    for _ in 0..<10 {
      var gradient = [Double](repeating: 0, count: d)
      var hessian = [Double](repeating: 0, count: d * d)
      for (features, (label, weight)) in zip(x, zip(labels, weights)) {
        var z = 0.0
        for i in 0..<d { z += beta[i] * features[i] }
        let p = 1 / (1 + exp(-z))
        let g = weight * (p - label)
        let h = weight * p * (1 - p)
        for i in 0..<d {
          gradient[i] += g * features[i]
          let hi = h * features[i]
          for j in i..<d { hessian[i * d + j] += hi * features[j] }
        }
      }
      for i in 0..<(d - 1) {
        gradient[i] += ridge * beta[i]
        hessian[i * d + i] += ridge
      }
      hessian[(d - 1) * d + (d - 1)] += 1e-9
      for i in 0..<d { for j in 0..<i { hessian[i * d + j] = hessian[j * d + i] } }
      var step = gradient
      guard LinearSolver.solvePositiveDefinite(&hessian, &step, dimension: d) else { break }
      for i in 0..<d { beta[i] -= step[i] }
    }
    return LatentGeometry.normalized(beta.dropLast().map(Float.init))
  }
}
