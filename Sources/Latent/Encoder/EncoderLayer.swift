/// One transformer layer laid out for inference: every linear weight transposed to
/// [in, out] row-major (so multiplies are plain A·B), and Q, K, V fused into one [H, 3H].
struct EncoderLayer: Sendable {
  var queryKeyValue: [Float], queryKeyValueBias: [Float]
  var attentionOutput: [Float], attentionOutputBias: [Float]
  var attentionNormGamma: [Float], attentionNormBeta: [Float]
  var intermediate: [Float], intermediateBias: [Float]
  var output: [Float], outputBias: [Float]
  var outputNormGamma: [Float], outputNormBeta: [Float]
  /// The four matrices as fp32 panels or bf16 tiles (`EncoderKernel.floatPanels`,
  /// `.bf16Tiles`); nil runs them on BLAS.
  var panels: Panels?

  /// The layer's matrices laid out for `PanelKernel` or AMX tiles.
  struct Panels: Sendable {
    let queryKeyValue, attentionOutput, intermediate, output: any PanelProduct
  }

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

  /// The layer with its matrices laid out for `kernel` (fp32 panels or bf16 tiles; BLAS
  /// keeps the plain weights alone).
  func laidOut(for kernel: EncoderKernel, hidden h: Int, intermediate i: Int) -> EncoderLayer {
    var layer = self
    let pack: ([Float], Int, Int) -> any PanelProduct
    switch kernel {
    case .floatPanels: pack = { FloatPanelMatrix(weight: $0, depth: $1, columns: $2) }
    case .bf16Tiles: pack = { TileMatrix(weight: $0, depth: $1, columns: $2) }
    case .blas, .automatic:
      layer.panels = nil
      return layer
    }
    layer.panels = Panels(
      queryKeyValue: pack(queryKeyValue, h, 3 * h), attentionOutput: pack(attentionOutput, h, h),
      intermediate: pack(intermediate, h, i), output: pack(output, i, h))
    return layer
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
