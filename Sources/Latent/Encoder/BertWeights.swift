/// One transformer layer's parameters. Linear weights are [out, in], as PyTorch stores them.
struct BertLayerWeights: Sendable {
  var query: [Float], queryBias: [Float]
  var key: [Float], keyBias: [Float]
  var value: [Float], valueBias: [Float]
  var attentionOutput: [Float], attentionOutputBias: [Float]
  var attentionNormGamma: [Float], attentionNormBeta: [Float]
  var intermediate: [Float], intermediateBias: [Float]
  var output: [Float], outputBias: [Float]
  var outputNormGamma: [Float], outputNormBeta: [Float]
}

/// The embedding tables and their LayerNorm.
struct BertEmbeddings: Sendable {
  var words: [Float]
  var positions: [Float]
  var tokenTypes: [Float]
  var normGamma: [Float]
  var normBeta: [Float]
}

/// Every parameter of a BERT encoder. The safetensors names are mapped here and nowhere else.
struct BertWeights: Sendable {
  var embeddings: BertEmbeddings
  var layers: [BertLayerWeights]

  /// Reads and shape-checks every tensor.
  /// - Throws: `SafeTensorsError` for a missing or mis-shaped tensor.
  init(_ file: SafeTensors, config c: BertConfig) throws(SafeTensorsError) {
    let h = c.hiddenSize
    let i = c.intermediateSize
    func load(_ name: String, _ shape: [Int]) throws(SafeTensorsError) -> [Float] {
      try file.floats(name, shape: shape)
    }
    embeddings = BertEmbeddings(
      words: try load("embeddings.word_embeddings.weight", [c.vocabSize, h]),
      positions: try load("embeddings.position_embeddings.weight", [c.maxPositionEmbeddings, h]),
      tokenTypes: try load("embeddings.token_type_embeddings.weight", [c.typeVocabSize, h]),
      normGamma: try load("embeddings.LayerNorm.weight", [h]),
      normBeta: try load("embeddings.LayerNorm.bias", [h]))
    layers = []
    for n in 0..<c.numHiddenLayers {
      let p = "encoder.layer.\(n)."
      layers.append(
        BertLayerWeights(
          query: try load(p + "attention.self.query.weight", [h, h]),
          queryBias: try load(p + "attention.self.query.bias", [h]),
          key: try load(p + "attention.self.key.weight", [h, h]),
          keyBias: try load(p + "attention.self.key.bias", [h]),
          value: try load(p + "attention.self.value.weight", [h, h]),
          valueBias: try load(p + "attention.self.value.bias", [h]),
          attentionOutput: try load(p + "attention.output.dense.weight", [h, h]),
          attentionOutputBias: try load(p + "attention.output.dense.bias", [h]),
          attentionNormGamma: try load(p + "attention.output.LayerNorm.weight", [h]),
          attentionNormBeta: try load(p + "attention.output.LayerNorm.bias", [h]),
          intermediate: try load(p + "intermediate.dense.weight", [i, h]),
          intermediateBias: try load(p + "intermediate.dense.bias", [i]),
          output: try load(p + "output.dense.weight", [h, i]),
          outputBias: try load(p + "output.dense.bias", [h]),
          outputNormGamma: try load(p + "output.LayerNorm.weight", [h]),
          outputNormBeta: try load(p + "output.LayerNorm.bias", [h])))
    }
  }
}
