/// One transformer layer laid out for inference: every linear weight transposed to
/// [in, out] row-major (so multiplies are plain A·B), and Q, K, V fused into one [H, 3H].
struct EncoderLayer: Sendable {
  var queryKeyValue: [Float], queryKeyValueBias: [Float]
  var attentionOutput: [Float], attentionOutputBias: [Float]
  var attentionNormGamma: [Float], attentionNormBeta: [Float]
  var intermediate: [Float], intermediateBias: [Float]
  var output: [Float], outputBias: [Float]
  var outputNormGamma: [Float], outputNormBeta: [Float]

  init(_ w: BertLayerWeights, hidden h: Int, intermediate i: Int) {
    queryKeyValue = Self.transposedColumns([w.query, w.key, w.value], rows: h, columns: h)
    queryKeyValueBias = w.queryBias + w.keyBias + w.valueBias
    attentionOutput = Self.transposedColumns([w.attentionOutput], rows: h, columns: h)
    attentionOutputBias = w.attentionOutputBias
    attentionNormGamma = w.attentionNormGamma
    attentionNormBeta = w.attentionNormBeta
    intermediate = Self.transposedColumns([w.intermediate], rows: i, columns: h)
    intermediateBias = w.intermediateBias
    output = Self.transposedColumns([w.output], rows: h, columns: i)
    outputBias = w.outputBias
    outputNormGamma = w.outputNormGamma
    outputNormBeta = w.outputNormBeta
  }

  /// Stacks PyTorch [out, in] matrices along `out` and transposes: [in, Σout] row-major.
  static func transposedColumns(_ parts: [[Float]], rows: Int, columns: Int) -> [Float] {
    let total = rows * parts.count
    var result = [Float](repeating: 0, count: columns * total)
    for (p, part) in parts.enumerated() {
      for r in 0..<rows {
        for c in 0..<columns {
          result[c * total + p * rows + r] = part[r * columns + c]
        }
      }
    }
    return result
  }
}
