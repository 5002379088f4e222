/// Every parameter of the prefix decoder, laid out for inference. The safetensors names
/// (PyTorch's `nn.TransformerEncoderLayer`) are mapped here and nowhere else; the layers
/// reuse the encoder's layout (weights transposed to [in, out], Q|K|V fused).
struct DecoderWeights: Sendable {
  /// Embedding → prefix vectors: [H, P·H] (transposed) and [P·H].
  var condition: [Float], conditionBias: [Float]
  /// Token table [V, H]; also the tied output layer (logits = hidden · tokensᵀ).
  var tokens: [Float]
  /// Position table [P + maxLength, H].
  var positions: [Float]
  var normGamma: [Float], normBeta: [Float]
  var layers: [EncoderLayer]

  /// Reads, shape-checks and lays out every tensor (fp16 is widened to fp32 here).
  init(_ file: SafeTensors, config c: DecoderConfig) throws(SafeTensorsError) {
    let (h, f, p) = (c.hiddenSize, c.intermediateSize, c.prefixLength)
    func load(_ name: String, _ shape: [Int]) throws(SafeTensorsError) -> [Float] {
      try file.floats(name, shape: shape)
    }
    condition = EncoderLayer.transposedColumns(
      [try load("condition.weight", [p * h, h])], rows: p * h, columns: h)
    conditionBias = try load("condition.bias", [p * h])
    tokens = try load("tokens.weight", [c.vocabSize, h])
    positions = try load("positions.weight", [c.positions, h])
    normGamma = try load("norm.weight", [h])
    normBeta = try load("norm.bias", [h])
    layers = []
    for n in 0..<c.numHiddenLayers {
      let prefix = "layers.layers.\(n)."
      let inProjection = try load(prefix + "self_attn.in_proj_weight", [3 * h, h])
      let inBias = try load(prefix + "self_attn.in_proj_bias", [3 * h])
      func third(_ values: [Float], _ index: Int) -> [Float] {
        let size = values.count / 3
        return Array(values[index * size..<(index + 1) * size])
      }
      let weights = BertLayerWeights(
        query: third(inProjection, 0), queryBias: third(inBias, 0),
        key: third(inProjection, 1), keyBias: third(inBias, 1),
        value: third(inProjection, 2), valueBias: third(inBias, 2),
        attentionOutput: try load(prefix + "self_attn.out_proj.weight", [h, h]),
        attentionOutputBias: try load(prefix + "self_attn.out_proj.bias", [h]),
        attentionNormGamma: try load(prefix + "norm1.weight", [h]),
        attentionNormBeta: try load(prefix + "norm1.bias", [h]),
        intermediate: try load(prefix + "linear1.weight", [f, h]),
        intermediateBias: try load(prefix + "linear1.bias", [f]),
        output: try load(prefix + "linear2.weight", [h, f]),
        outputBias: try load(prefix + "linear2.bias", [h]),
        outputNormGamma: try load(prefix + "norm2.weight", [h]),
        outputNormBeta: try load(prefix + "norm2.bias", [h]))
      layers.append(EncoderLayer(weights, hidden: h, intermediate: f))
    }
  }
}
