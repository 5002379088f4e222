import Foundation

/// Which matrix kernel a `TextDecoder` runs its products on.
public enum DecoderKernel: String, Sendable, CaseIterable {
  /// fp16 panels where the CPU runs them and the weights are exactly fp16; BLAS otherwise.
  case automatic = "auto"
  /// `cblas_sgemm` on fp32 weights (every CPU).
  case blas
  /// fp16 weight panels on AVX-512 (`HalfPanelMatrix`); refused where the CPU lacks it.
  case halfPanels = "fp16-panels"

  /// The environment variable that chooses the kernel of every decoder a process loads
  /// (`auto`, `blas` or `fp16-panels`; unset means `auto`): a way back to BLAS without a
  /// rebuild.
  public static let environmentVariable = "LATITUDE_DECODER_KERNEL"

  /// The kernel `LATITUDE_DECODER_KERNEL` asks for.
  /// - Throws: `DecoderError.badConfig` for any other value.
  public static func fromEnvironment(
    _ environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws(DecoderError) -> DecoderKernel {
    guard let value = environment[environmentVariable], !value.isEmpty else { return .automatic }
    guard let kernel = DecoderKernel(rawValue: value) else {
      let names = allCases.map(\.rawValue).joined(separator: ", ")
      throw .badConfig("\(environmentVariable)=\(value): expected one of \(names)")
    }
    return kernel
  }
}

/// Whether a server's decodes may borrow an idle core (`TextDecoder.borrowsIdleCore`).
public enum IdleCoreBorrowing {
  /// The environment variable that turns it off (`0`) or on (`1`); unset means on where
  /// the machine has two cores or more.
  public static let environmentVariable = "LATITUDE_DECODER_BORROW_CORE"

  /// What `LATITUDE_DECODER_BORROW_CORE` says, or the default for `cores`.
  /// - Throws: `DecoderError.badConfig` for a value other than 0 or 1.
  public static func fromEnvironment(
    _ environment: [String: String] = ProcessInfo.processInfo.environment,
    cores: Int = ProcessInfo.processInfo.activeProcessorCount
  ) throws(DecoderError) -> Bool {
    switch environment[environmentVariable] {
    case nil, "": return cores >= 2
    case "0": return false
    case "1": return true
    case let value?: throw .badConfig("\(environmentVariable)=\(value): expected 0 or 1")
    }
  }
}

/// The decoder's weight matrices as fp16 panels (see `HalfPanelMatrix`).
struct DecoderPanels: Sendable {
  struct Layer: Sendable {
    let queryKeyValue, attentionOutput, intermediate, output: HalfPanelMatrix
  }
  /// Embedding → prefix vectors.
  let condition: HalfPanelMatrix
  /// The tied output layer: hidden · tokensᵀ.
  let logits: HalfPanelMatrix
  let layers: [Layer]

  /// Packs every matrix; nil when one of them is not exactly fp16.
  init?(_ weights: DecoderWeights, config c: DecoderConfig) {
    let (h, f, p) = (c.hiddenSize, c.intermediateSize, c.prefixLength)
    guard
      let condition = HalfPanelMatrix(weight: weights.condition, depth: h, columns: p * h),
      let logits = HalfPanelMatrix(transposing: weights.tokens, rows: c.vocabSize, width: h)
    else { return nil }
    var layers: [Layer] = []
    for layer in weights.layers {
      guard
        let qkv = HalfPanelMatrix(weight: layer.queryKeyValue, depth: h, columns: 3 * h),
        let attention = HalfPanelMatrix(weight: layer.attentionOutput, depth: h, columns: h),
        let intermediate = HalfPanelMatrix(weight: layer.intermediate, depth: h, columns: f),
        let output = HalfPanelMatrix(weight: layer.output, depth: f, columns: h)
      else { return nil }
      layers.append(
        Layer(
          queryKeyValue: qkv, attentionOutput: attention, intermediate: intermediate,
          output: output))
    }
    self.condition = condition
    self.logits = logits
    self.layers = layers
  }
}
