import Synchronization

/// One forward step of the prefix decoder over a `DecoderState`: feeds either the prefix
/// (the conditioning vectors of each row's target) or one token per row, runs the layers
/// against the cached keys and values, and leaves the next-token logits in `state.logits`.
/// Mirrors python/latitude_tools/train/generation.py; single-threaded, so a pool can run many at once.
extension TextDecoder {
  /// Feeds each row's prefix, made from its target embedding (`targets` has `state.rows`
  /// unit vectors).
  func feedPrefix(_ targets: [[Float]], into state: DecoderState) {
    let c = config
    let (h, p) = (c.hiddenSize, c.prefixLength)
    precondition(state.length == 0 && targets.count == state.rows)
    let flat = targets.flatMap { $0 }
    flat.withUnsafeBufferPointer { input in
      linear(
        input.baseAddress!, rows: state.rows, inWidth: h, weights.condition,
        weights.conditionBias, outWidth: p * h, into: state.hidden, panels: panels?.condition,
        sharing: false)
    }
    for row in 0..<state.rows {
      for position in 0..<p {
        addPosition(position, to: state.hidden + (row * p + position) * h)
      }
    }
    run(state, newPositions: p)
  }

  /// Feeds one token per row.
  func feed(_ tokens: [Int32], into state: DecoderState) {
    let h = config.hiddenSize
    precondition(tokens.count == state.rows && state.hasRoom)
    weights.tokens.withUnsafeBufferPointer { table in
      for (row, token) in tokens.enumerated() {
        (state.hidden + row * h).update(from: table.baseAddress! + Int(token) * h, count: h)
        addPosition(state.length, to: state.hidden + row * h)
      }
    }
    run(state, newPositions: 1)
  }

  private func addPosition(_ position: Int, to row: UnsafeMutablePointer<Float>) {
    let h = config.hiddenSize
    weights.positions.withUnsafeBufferPointer { table in
      let source = table.baseAddress! + position * h
      for i in 0..<h { row[i] += source[i] }
    }
  }

  private func run(_ state: DecoderState, newPositions n: Int) {
    let c = config
    let (h, f) = (c.hiddenSize, c.intermediateSize)
    let count = state.rows * n
    // Borrow the idle second core for this step's products when this is the only
    // generation running (see `borrowsIdleCore`).
    let sharing =
      borrowsIdleCore && generations.load(ordering: .relaxed) == 1
      && panels != nil && SpinningHelper.shared.acquire()
    defer { if sharing { SpinningHelper.shared.release() } }
    normalize(state.hidden, rows: count, weights.normGamma, weights.normBeta)
    for (index, layer) in weights.layers.enumerated() {
      let packed = panels?.layers[index]
      linear(
        state.hidden, rows: count, inWidth: h, layer.queryKeyValue, layer.queryKeyValueBias,
        outWidth: 3 * h, into: state.queryKeyValue, panels: packed?.queryKeyValue, sharing: sharing)
      attend(state, layer: index, newPositions: n)
      linear(
        state.context, rows: count, inWidth: h, layer.attentionOutput, layer.attentionOutputBias,
        outWidth: h, into: state.projected, residual: state.hidden,
        panels: packed?.attentionOutput, sharing: sharing)
      normalize(state.projected, rows: count, layer.attentionNormGamma, layer.attentionNormBeta)
      linear(
        state.projected, rows: count, inWidth: h, layer.intermediate, layer.intermediateBias,
        outWidth: f, into: state.wide, gelu: true, panels: packed?.intermediate, sharing: sharing)
      linear(
        state.wide, rows: count, inWidth: f, layer.output, layer.outputBias, outWidth: h,
        into: state.hidden, residual: state.projected, panels: packed?.output, sharing: sharing)
      normalize(state.hidden, rows: count, layer.outputNormGamma, layer.outputNormBeta)
    }
    state.advance(by: n)
    // Logits of each row's last position against the tied token table.
    let last = state.hidden + (n - 1) * h
    if let logits = panels?.logits {
      let (rows, vocab) = (state.rows, c.vocabSize)
      let input = SharedBuffer(base: last, count: rows * n * h)
      let output = SharedBuffer(base: state.logits, count: rows * vocab)
      eachPart(of: logits, sharing: sharing) { part in
        for r in 0..<rows {
          (output.base + r * vocab + part.lowerBound).update(repeating: 0, count: part.count)
        }
        logits.multiplyAccumulate(
          input.base, rows: rows, lda: n * h, into: output.base, ldc: vocab, part: part)
      }
      return
    }
    weights.tokens.withUnsafeBufferPointer { table in
      BLAS.gemmTransposedB(
        m: state.rows, n: c.vocabSize, k: h, a: last, lda: n * h,
        b: table.baseAddress!, ldb: h, beta: 0, c: state.logits, ldc: c.vocabSize)
    }
  }

  /// Causal self-attention of the `n` new positions of every row over its cache.
  private func attend(_ state: DecoderState, layer: Int, newPositions n: Int) {
    let c = config
    let (h, d) = (c.hiddenSize, c.headSize)
    let start = state.length
    let scale = 1 / Float(d).squareRoot()
    for row in 0..<state.rows {
      let keys = state.cacheRow(state.keys[layer], row)
      let values = state.cacheRow(state.values[layer], row)
      for j in 0..<n {
        let qkv = state.queryKeyValue + (row * n + j) * 3 * h
        (keys + (start + j) * h).update(from: qkv + h, count: h)
        (values + (start + j) * h).update(from: qkv + 2 * h, count: h)
      }
      for j in 0..<n {
        let query = state.queryKeyValue + (row * n + j) * 3 * h
        let context = state.context + (row * n + j) * h
        for head in 0..<c.numAttentionHeads {
          CachedAttention.head(
            query: query + head * d, keys: keys + head * d, values: values + head * d,
            stride: h, length: start + j + 1, size: d, scale: scale, scores: state.scores,
            into: context + head * d)
        }
      }
    }
  }

  private func normalize(
    _ x: UnsafeMutablePointer<Float>, rows: Int, _ gamma: [Float], _ beta: [Float]
  ) {
    gamma.withUnsafeBufferPointer { g in
      beta.withUnsafeBufferPointer { b in
        Activations.layerNorm(
          x, rows: rows, width: config.hiddenSize, gamma: g.baseAddress!, beta: b.baseAddress!,
          epsilon: config.layerNormEps)
      }
    }
  }

  /// out = input · weight + bias (+ residual), then GELU if asked; weight is [in, out].
  /// With `panels` (the same weight as fp16 or int8 panels) the product runs on them
  /// instead, split with the spinning helper when `sharing`.
  private func linear(
    _ input: UnsafePointer<Float>, rows: Int, inWidth k: Int, _ weight: [Float], _ bias: [Float],
    outWidth n: Int, into output: UnsafeMutablePointer<Float>,
    residual: UnsafePointer<Float>? = nil, gelu: Bool = false, panels: (any PanelProduct)?,
    sharing: Bool
  ) {
    guard let panels else {
      Dense.linear(
        input, rows: rows, inWidth: k, weight, bias, outWidth: n, columns: 0..<n, into: output,
        residual: residual, gelu: gelu)
      return
    }
    let source = SharedBuffer(base: UnsafeMutablePointer(mutating: input), count: rows * k)
    let target = SharedBuffer(base: output, count: rows * n)
    let added = residual.map {
      SharedBuffer(base: UnsafeMutablePointer(mutating: $0), count: rows * n)
    }
    eachPart(of: panels, sharing: sharing) { part in
      Dense.layer(
        target.base, rows: rows, width: n, bias: bias, columns: part,
        residual: added.map { UnsafePointer($0.base) }, gelu: gelu
      ) { _, _ in
        panels.multiplyAccumulate(
          source.base, rows: rows, lda: k, into: target.base, ldc: n, part: part)
      }
    }
  }

  /// `body(columns)` over all of `panels`' columns: here, or in two halves, one on the
  /// spinning helper, when `sharing` (the caller holds the helper).
  private func eachPart(
    of panels: any PanelProduct, sharing: Bool, _ body: @escaping @Sendable (Range<Int>) -> Void
  ) {
    guard sharing else { return body(0..<panels.columns) }
    let parts = panels.split(2)
    SpinningHelper.shared.run { body(parts[$0]) }
  }
}
