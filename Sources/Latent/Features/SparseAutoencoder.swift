import Foundation

/// One embedding's active features, strongest first (activations > 0 only).
public struct SparseCode: Sendable, Hashable {
  /// Feature ids.
  public var indices: [Int]
  /// Their activations, in the same order, descending.
  public var values: [Float]

  /// Makes a code from parallel arrays.
  public init(indices: [Int], values: [Float]) {
    self.indices = indices
    self.values = values
  }

  /// The activation of `feature` (0 when it is not active).
  public func activation(of feature: Int) -> Float {
    indices.firstIndex(of: feature).map { values[$0] } ?? 0
  }
}

/// The top-k sparse autoencoder of the embedding space (`Weights/features/<name>/`):
/// `pre = W_enc (x − b_dec) + b_enc`, the k largest pre-activations kept (ReLU), every other
/// feature 0; `x̂ = Σ zᵢ · dᵢ + b_dec`, where the decoder rows dᵢ are unit directions.
/// Matches the PyTorch model of `latitude_tools.train.sae` (parity-tested on fixtures).
public struct SparseAutoencoder: Sendable {
  /// Embedding width (384).
  public let dimension: Int
  /// Dictionary size.
  public let features: Int
  /// Active features per embedding at most.
  public let k: Int
  let encoderWeight: [Float]
  let encoderBias: [Float]
  let decoderWeight: [Float]
  let decoderBias: [Float]

  /// Builds one from raw weights (row-major `features`×`dimension` matrices).
  /// - Throws: `FeatureError.inconsistent` when a size does not match.
  public init(
    dimension: Int, features: Int, k: Int, encoderWeight: [Float], encoderBias: [Float],
    decoderWeight: [Float], decoderBias: [Float]
  ) throws(FeatureError) {
    guard dimension > 0, features > 0, (1...features).contains(k),
      encoderWeight.count == features * dimension, decoderWeight.count == features * dimension,
      encoderBias.count == features, decoderBias.count == dimension
    else {
      throw .inconsistent("weights do not match \(features) features × \(dimension), k \(k)")
    }
    guard (encoderWeight + encoderBias + decoderWeight + decoderBias).allSatisfy(\.isFinite)
    else { throw .inconsistent("weights hold NaN or infinity") }
    self.dimension = dimension
    self.features = features
    self.k = k
    self.encoderWeight = encoderWeight
    self.encoderBias = encoderBias
    self.decoderWeight = decoderWeight
    self.decoderBias = decoderBias
  }

  /// Loads `sae.safetensors` and `config.json` from a folder.
  public init(directory: String) throws(FeatureError) {
    struct Config: Decodable {
      var dimension: Int
      var features: Int
      var k: Int
    }
    let config: Config
    do {
      let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/config.json"))
      config = try JSONDecoder().decode(Config.self, from: data)
    } catch {
      throw .unreadable("\(directory)/config.json: \(error.localizedDescription)")
    }
    let (d, m) = (config.dimension, config.features)
    do {
      let file = try SafeTensors(contentsOf: directory + "/sae.safetensors")
      try self.init(
        dimension: d, features: m, k: config.k,
        encoderWeight: try file.floats("encoder.weight", shape: [m, d]),
        encoderBias: try file.floats("encoder.bias", shape: [m]),
        decoderWeight: try file.floats("decoder.weight", shape: [m, d]),
        decoderBias: try file.floats("decoder.bias", shape: [d]))
    } catch let error as SafeTensorsError {
      throw .unreadable(error.description)
    } catch let error as FeatureError {
      throw error
    } catch {
      throw .unreadable("\(error)")
    }
  }

  /// Pre-activations of a batch: `rows`×`features`, row-major.
  /// - Throws: `FeatureError.badVector` for a vector of the wrong length or not finite.
  public func preactivations(_ batch: [[Float]]) throws(FeatureError) -> [Float] {
    var centred = [Float](repeating: 0, count: batch.count * dimension)
    for (row, vector) in batch.enumerated() {
      try check(vector)
      for j in 0..<dimension { centred[row * dimension + j] = vector[j] - decoderBias[j] }
    }
    // Every row starts as the bias; the multiply adds W_enc (x − b_dec) to it.
    var out = Array(repeatElement(encoderBias, count: batch.count).joined())
    guard !batch.isEmpty else { return out }
    BLAS.gemmTransposedB(
      m: batch.count, n: features, k: dimension, a: centred, lda: dimension, b: encoderWeight,
      ldb: dimension, beta: 1, c: &out, ldc: features)
    return out
  }

  /// The sparse codes of a batch of embeddings.
  public func encode(_ batch: [[Float]]) throws(FeatureError) -> [SparseCode] {
    let pre = try preactivations(batch)
    return pre.withUnsafeBufferPointer { buffer in
      (0..<batch.count).map { row in
        topK(UnsafeBufferPointer(rebasing: buffer[row * features..<(row + 1) * features]))
      }
    }
  }

  /// The sparse code of one embedding.
  public func encode(_ vector: [Float]) throws(FeatureError) -> SparseCode {
    try encode([vector])[0]
  }

  /// The reconstruction `Σ zᵢ · dᵢ + b_dec` of a code.
  public func decode(_ code: SparseCode) -> [Float] {
    var out = decoderBias
    for (feature, value) in zip(code.indices, code.values) where (0..<features).contains(feature) {
      let base = feature * dimension
      for j in 0..<dimension { out[j] += value * decoderWeight[base + j] }
    }
    return out
  }

  /// Feature `feature`'s unit direction (its decoder row).
  public func direction(_ feature: Int) throws(FeatureError) -> [Float] {
    guard (0..<features).contains(feature) else { throw .unknownFeature(feature) }
    return Array(decoderWeight[feature * dimension..<(feature + 1) * dimension])
  }

  /// Feature `feature`'s encoder row and bias: `pre = row · (x − b_dec) + bias`.
  func encoderRow(_ feature: Int) -> ArraySlice<Float> {
    encoderWeight[feature * dimension..<(feature + 1) * dimension]
  }

  func check(_ vector: [Float]) throws(FeatureError) {
    guard vector.count == dimension else {
      throw .badVector("\(vector.count) dimensions; the dictionary takes \(dimension)")
    }
    guard vector.allSatisfy(\.isFinite) else { throw .badVector("NaN or infinite component") }
  }

  /// The k largest pre-activations, ReLU'd, positive ones only, descending.
  private func topK(_ pre: UnsafeBufferPointer<Float>) -> SparseCode {
    var indices: [Int] = []
    var values: [Float] = []
    indices.reserveCapacity(k + 1)
    values.reserveCapacity(k + 1)
    for (index, value) in pre.enumerated() {
      guard values.count < k || value > values[values.count - 1] else { continue }
      var slot = values.count
      while slot > 0, values[slot - 1] < value { slot -= 1 }
      values.insert(value, at: slot)
      indices.insert(index, at: slot)
      if values.count > k {
        values.removeLast()
        indices.removeLast()
      }
    }
    let positive = values.firstIndex { $0 <= 0 } ?? values.count
    return SparseCode(indices: Array(indices[..<positive]), values: Array(values[..<positive]))
  }
}
