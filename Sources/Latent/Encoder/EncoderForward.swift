import Dispatch

/// A Float buffer shared by the threads of one forward pass; each thread writes a disjoint
/// part (its columns, heads or rows).
// @unchecked: a raw pointer whose threads each write a disjoint range, joined before any read.
struct SharedBuffer: @unchecked Sendable {
  let base: UnsafeMutablePointer<Float>
  let count: Int

  static func allocate(_ count: Int) -> SharedBuffer {
    let base = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
    base.initialize(repeating: 0, count: max(count, 1))
    return SharedBuffer(base: base, count: count)
  }

  func free() { base.deallocate() }
}

/// One forward pass of the encoder over a packed batch: the tokens of all sequences stand
/// end to end in `[tokens × hidden]` buffers, so there is no padding to compute. With
/// `threads` > 1, each multiply is split by output columns, attention by heads, and
/// LayerNorm by rows; every BLAS call itself stays single-threaded.
struct EncoderForward {
  let encoder: SentenceEncoder
  let sequences: [[Int32]]
  /// Start row of each sequence in the packed buffers.
  let offsets: [Int]
  let tokens: Int
  let threads: Int
  /// The spinning helper, when this pass holds it (two threads).
  private var helper: SpinningHelper?

  init(encoder: SentenceEncoder, sequences: [[Int32]], threads: Int) {
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
    self.threads = max(1, threads)
  }

  func run() -> [[Float]] {
    guard threads == 2, SpinningHelper.shared.acquire() else { return pass(helper: nil) }
    defer { SpinningHelper.shared.release() }
    return pass(helper: SpinningHelper.shared)
  }

  private func pass(helper: SpinningHelper?) -> [[Float]] {
    var forward = self
    forward.helper = helper
    return forward.compute()
  }

  private func compute() -> [[Float]] {
    let c = encoder.config
    let h = c.hiddenSize
    let longest = sequences.map(\.count).max() ?? 0
    var hidden = SharedBuffer.allocate(tokens * h)
    let qkv = SharedBuffer.allocate(tokens * 3 * h)
    let context = SharedBuffer.allocate(tokens * h)
    var projected = SharedBuffer.allocate(tokens * h)
    let wide = SharedBuffer.allocate(tokens * c.intermediateSize)
    let scores = (0..<threads).map { _ in SharedBuffer.allocate(longest * longest) }
    defer {
      for buffer in [hidden, qkv, context, projected, wide] + scores { buffer.free() }
    }

    embed(into: hidden)
    normalize(hidden, encoder.embeddings.normGamma, encoder.embeddings.normBeta)
    for layer in encoder.layers {
      linear(
        hidden, inWidth: h, layer.queryKeyValue, layer.queryKeyValueBias, outWidth: 3 * h,
        into: qkv,
        panels: layer.panels?.queryKeyValue)
      attention(qkv, scores: scores, into: context)
      linear(
        context, inWidth: h, layer.attentionOutput, layer.attentionOutputBias, outWidth: h,
        into: projected, residual: hidden, panels: layer.panels?.attentionOutput)
      swap(&hidden, &projected)
      normalize(hidden, layer.attentionNormGamma, layer.attentionNormBeta)
      linear(
        hidden, inWidth: h, layer.intermediate, layer.intermediateBias,
        outWidth: c.intermediateSize, into: wide, gelu: true, panels: layer.panels?.intermediate)
      linear(
        wide, inWidth: c.intermediateSize, layer.output, layer.outputBias, outWidth: h,
        into: projected, residual: hidden, panels: layer.panels?.output)
      swap(&hidden, &projected)
      normalize(hidden, layer.outputNormGamma, layer.outputNormBeta)
    }
    return pool(hidden)
  }

  /// Runs `body(part)` for each part: two parts on the caller and the spinning helper
  /// when this pass holds it, more on Dispatch's pool, one inline.
  private func parallel(_ parts: Int, _ body: @escaping @Sendable (Int) -> Void) {
    if parts <= 1 {
      body(0)
    } else if parts == 2, let helper {
      helper.run(body)
    } else {
      DispatchQueue.concurrentPerform(iterations: parts, execute: body)
    }
  }

  /// Word + position + token-type (0) embeddings of every token.
  private func embed(into hidden: SharedBuffer) {
    let h = encoder.config.hiddenSize
    let table = encoder.embeddings
    table.words.withUnsafeBufferPointer { words in
      table.positions.withUnsafeBufferPointer { positions in
        table.tokenTypes.withUnsafeBufferPointer { types in
          for (s, sequence) in sequences.enumerated() {
            for (p, id) in sequence.enumerated() {
              let row = hidden.base + (offsets[s] + p) * h
              let word = words.baseAddress! + Int(id) * h
              let position = positions.baseAddress! + p * h
              for i in 0..<h { row[i] = word[i] + position[i] + types[i] }
            }
          }
        }
      }
    }
  }

  /// out = input · weight + bias (+ residual), then GELU if asked; weight is [in, out].
  /// Split by output columns, in blocks of 16 (whole panels or tile pairs with `panels`, the
  /// same weight laid out for `PanelKernel` or AMX; panels run a product of at most
  /// `EncoderKernel.panelRowLimit` tokens instead of BLAS, tiles any).
  private func linear(
    _ input: SharedBuffer, inWidth k: Int, _ weight: [Float], _ bias: [Float], outWidth n: Int,
    into output: SharedBuffer, residual: SharedBuffer? = nil, gelu: Bool = false,
    panels: (any PanelProduct)?
  ) {
    let rows = tokens
    let parts = min(threads, max(1, n / 64))
    if let panels, rows <= EncoderKernel.panelRowLimit || panels is TileMatrix {
      let ranges = panels.split(parts)
      parallel(parts) { part in
        Dense.layer(
          output.base, rows: rows, width: n, bias: bias, columns: ranges[part],
          residual: residual.map { UnsafePointer($0.base) }, gelu: gelu
        ) { _, _ in
          panels.multiplyAccumulate(
            input.base, rows: rows, lda: k, into: output.base, ldc: n, part: ranges[part])
        }
      }
      return
    }
    let block = ((n + parts - 1) / parts + 15) / 16 * 16
    parallel(parts) { part in
      let start = part * block
      let end = min(n, start + block)
      guard start < end else { return }
      Dense.linear(
        input.base, rows: rows, inWidth: k, weight, bias, outWidth: n, columns: start..<end,
        into: output.base, residual: residual.map { UnsafePointer($0.base) }, gelu: gelu)
    }
  }

  /// Multi-head self-attention of each sequence on its own rows of the packed Q|K|V.
  /// Split by heads.
  private func attention(_ qkv: SharedBuffer, scores: [SharedBuffer], into context: SharedBuffer) {
    let c = encoder.config
    let h = c.hiddenSize
    let d = c.headSize
    let heads = c.numAttentionHeads
    let scale = 1 / Float(d).squareRoot()
    let parts = min(threads, heads)
    let sequences = sequences
    let offsets = offsets
    parallel(parts) { part in
      let scratch = scores[part].base
      for head in stride(from: part, to: heads, by: parts) {
        for (s, sequence) in sequences.enumerated() {
          let length = sequence.count
          let base = qkv.base + offsets[s] * 3 * h
          let q = base + head * d
          let k = base + h + head * d
          let v = base + 2 * h + head * d
          // scores = scale · Q Kᵀ  [L × L]
          BLAS.gemmTransposedB(
            m: length, n: length, k: d, alpha: scale, a: q, lda: 3 * h, b: k, ldb: 3 * h,
            beta: 0, c: scratch, ldc: length)
          Activations.softmaxRows(scratch, rows: length, width: length, valid: length)
          // context = scores · V  [L × d], into this head's columns.
          BLAS.gemm(
            m: length, n: d, k: length, a: scratch, lda: length, b: v, ldb: 3 * h, beta: 0,
            c: context.base + offsets[s] * h + head * d, ldc: h)
        }
      }
    }
  }

  /// LayerNorm of every token row, split by rows.
  private func normalize(_ x: SharedBuffer, _ gamma: [Float], _ beta: [Float]) {
    let h = encoder.config.hiddenSize
    let epsilon = encoder.config.layerNormEps
    let rows = tokens
    let parts = min(threads, max(1, rows / 8))
    let block = (rows + parts - 1) / parts
    parallel(parts) { part in
      let start = part * block
      let end = min(rows, start + block)
      guard start < end else { return }
      gamma.withUnsafeBufferPointer { g in
        beta.withUnsafeBufferPointer { b in
          Activations.layerNorm(
            x.base + start * h, rows: end - start, width: h, gamma: g.baseAddress!,
            beta: b.baseAddress!, epsilon: epsilon)
        }
      }
    }
  }

  /// Mean of each sequence's token rows, scaled to unit length.
  private func pool(_ hidden: SharedBuffer) -> [[Float]] {
    let h = encoder.config.hiddenSize
    return sequences.indices.map { s in
      var mean = [Float](repeating: 0, count: h)
      let length = sequences[s].count
      for p in 0..<length {
        let row = hidden.base + (offsets[s] + p) * h
        for i in 0..<h { mean[i] += row[i] }
      }
      for i in 0..<h { mean[i] /= Float(length) }
      let norm = max(VectorMath.norm(mean), 1e-12)
      return mean.map { $0 / norm }
    }
  }
}
