/// One forward pass of the encoder over a packed batch: the tokens of all sequences stand
/// end to end in `[tokens × hidden]` buffers, so there is no padding to compute.
struct EncoderForward {
  let encoder: SentenceEncoder
  let sequences: [[Int32]]
  /// Start offset of each sequence in the packed token rows.
  let offsets: [Int]
  let tokens: Int

  init(encoder: SentenceEncoder, sequences: [[Int32]]) {
    self.encoder = encoder
    self.sequences = sequences
    var offsets: [Int] = []
    var total = 0
    for sequence in sequences {
      offsets.append(total)
      total += sequence.count
    }
    self.offsets = offsets
    self.tokens = total
  }

  mutating func run() -> [[Float]] {
    let c = encoder.config
    let h = c.hiddenSize
    let w = encoder.weights
    var hidden = [Float](repeating: 0, count: tokens * h)
    var qkv = [Float](repeating: 0, count: tokens * 3 * h)
    var context = [Float](repeating: 0, count: tokens * h)
    var projected = [Float](repeating: 0, count: tokens * h)
    var wide = [Float](repeating: 0, count: tokens * c.intermediateSize)
    let longest = sequences.map(\.count).max() ?? 0
    var scores = [Float](repeating: 0, count: longest * longest)

    embed(into: &hidden)
    for (index, layer) in w.layers.enumerated() {
      // Q, K and V in one multiply: [T × 3H] = hidden · [Wq; Wk; Wv]ᵀ + bias.
      Self.linear(
        input: hidden, rows: tokens, inWidth: h, weight: encoder.fusedQKV[index],
        bias: encoder.fusedQKVBias[index], outWidth: 3 * h, into: &qkv)
      attention(qkv: qkv, scores: &scores, into: &context)
      // Attention output projection, residual, LayerNorm.
      Self.linear(
        input: context, rows: tokens, inWidth: h, weight: layer.attentionOutput,
        bias: layer.attentionOutputBias, outWidth: h, into: &projected, residual: hidden)
      swap(&hidden, &projected)
      Self.normalize(
        &hidden, rows: tokens, width: h, layer.attentionNormGamma, layer.attentionNormBeta,
        c.layerNormEps)
      // Feed-forward: GELU(hidden · Wiᵀ + bi) · Woᵀ + bo, residual, LayerNorm.
      Self.linear(
        input: hidden, rows: tokens, inWidth: h, weight: layer.intermediate,
        bias: layer.intermediateBias, outWidth: c.intermediateSize, into: &wide)
      wide.withUnsafeMutableBufferPointer {
        Activations.gelu($0.baseAddress!, count: tokens * c.intermediateSize)
      }
      Self.linear(
        input: wide, rows: tokens, inWidth: c.intermediateSize, weight: layer.output,
        bias: layer.outputBias, outWidth: h, into: &projected, residual: hidden)
      swap(&hidden, &projected)
      Self.normalize(
        &hidden, rows: tokens, width: h, layer.outputNormGamma, layer.outputNormBeta, c.layerNormEps
      )
    }
    return pool(hidden)
  }

  /// Word + position + token-type (0) embeddings, then LayerNorm.
  private func embed(into hidden: inout [Float]) {
    let c = encoder.config
    let h = c.hiddenSize
    let w = encoder.weights
    hidden.withUnsafeMutableBufferPointer { out in
      w.wordEmbeddings.withUnsafeBufferPointer { words in
        w.positionEmbeddings.withUnsafeBufferPointer { positions in
          w.tokenTypeEmbeddings.withUnsafeBufferPointer { types in
            for (s, sequence) in sequences.enumerated() {
              for (p, id) in sequence.enumerated() {
                let row = out.baseAddress! + (offsets[s] + p) * h
                let word = words.baseAddress! + Int(id) * h
                let position = positions.baseAddress! + p * h
                for i in 0..<h { row[i] = word[i] + position[i] + types[i] }
              }
            }
          }
        }
      }
    }
    Self.normalize(
      &hidden, rows: tokens, width: h, w.embeddingNormGamma, w.embeddingNormBeta, c.layerNormEps)
  }

  /// Multi-head self-attention of each sequence on its own rows of the packed Q|K|V.
  private func attention(qkv: [Float], scores: inout [Float], into context: inout [Float]) {
    let c = encoder.config
    let h = c.hiddenSize
    let d = c.headSize
    let scale = 1 / Float(d).squareRoot()
    qkv.withUnsafeBufferPointer { qkv in
      scores.withUnsafeMutableBufferPointer { scores in
        context.withUnsafeMutableBufferPointer { context in
          for (s, sequence) in sequences.enumerated() {
            let length = sequence.count
            let base = qkv.baseAddress! + offsets[s] * 3 * h
            for head in 0..<c.numAttentionHeads {
              let q = base + head * d
              let k = base + h + head * d
              let v = base + 2 * h + head * d
              // scores = scale · Q Kᵀ  [L × L]
              BLAS.gemmTransposedB(
                m: length, n: length, k: d, alpha: scale, a: q, lda: 3 * h, b: k, ldb: 3 * h,
                beta: 0, c: scores.baseAddress!, ldc: length)
              Activations.softmaxRows(
                scores.baseAddress!, rows: length, width: length, valid: length)
              // context = scores · V  [L × d], written into this head's columns.
              BLAS.gemm(
                m: length, n: d, k: length, a: scores.baseAddress!, lda: length, b: v, ldb: 3 * h,
                beta: 0, c: context.baseAddress! + offsets[s] * h + head * d, ldc: h)
            }
          }
        }
      }
    }
  }

  /// out = input · weightᵀ + bias (+ residual), for `rows` rows.
  private static func linear(
    input: [Float], rows: Int, inWidth: Int, weight: [Float], bias: [Float], outWidth: Int,
    into output: inout [Float], residual: [Float]? = nil
  ) {
    output.withUnsafeMutableBufferPointer { out in
      let o = out.baseAddress!
      bias.withUnsafeBufferPointer { b in
        for r in 0..<rows {
          (o + r * outWidth).update(from: b.baseAddress!, count: outWidth)
        }
      }
      if let residual {
        residual.withUnsafeBufferPointer { res in
          for i in 0..<(rows * outWidth) { o[i] += res[i] }
        }
      }
      input.withUnsafeBufferPointer { x in
        weight.withUnsafeBufferPointer { wt in
          BLAS.gemmTransposedB(
            m: rows, n: outWidth, k: inWidth, a: x.baseAddress!, lda: inWidth, b: wt.baseAddress!,
            ldb: inWidth, beta: 1, c: o, ldc: outWidth)
        }
      }
    }
  }

  private static func normalize(
    _ x: inout [Float], rows: Int, width: Int, _ gamma: [Float], _ beta: [Float], _ epsilon: Float
  ) {
    x.withUnsafeMutableBufferPointer { x in
      gamma.withUnsafeBufferPointer { g in
        beta.withUnsafeBufferPointer { b in
          Activations.layerNorm(
            x.baseAddress!, rows: rows, width: width, gamma: g.baseAddress!, beta: b.baseAddress!,
            epsilon: epsilon)
        }
      }
    }
  }

  /// Mean of each sequence's token rows, scaled to unit length.
  private func pool(_ hidden: [Float]) -> [[Float]] {
    let h = encoder.config.hiddenSize
    return sequences.indices.map { s in
      var mean = [Float](repeating: 0, count: h)
      let length = sequences[s].count
      for p in 0..<length {
        let row = (offsets[s] + p) * h
        for i in 0..<h { mean[i] += hidden[row + i] }
      }
      for i in 0..<h { mean[i] /= Float(length) }
      let norm = max(VectorMath.norm(mean), 1e-12)
      return mean.map { $0 / norm }
    }
  }
}
