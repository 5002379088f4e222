import Foundation

/// Which matrix kernel a `TextDecoder` runs its products on.
public enum DecoderKernel: String, Sendable, CaseIterable {
  /// int8 tiles where the CPU and the system run AMX-INT8, else int8 panels where the CPU
  /// has AVX-512 (`latitude-bench decode` measures both the same as fp16 within noise),
  /// else BLAS.
  case automatic = "auto"
  /// `cblas_sgemm` on fp32 weights (every CPU).
  case blas
  /// fp16 weight panels on AVX-512 (`HalfPanelMatrix`); refused where the CPU lacks it.
  case halfPanels = "fp16-panels"
  /// int8 weight panels with a scale per column on AVX-512 (`BytePanelMatrix`): half the
  /// weight traffic of fp16, at a measured cost in fidelity; refused where the CPU lacks it.
  case bytePanels = "int8-panels"
  /// The same int8 weights as int8 tiles on Intel AMX (`ByteTileMatrix`), each product's
  /// activations rounded to int8 per row as well; refused where the CPU or the system lacks
  /// AMX-INT8.
  case byteTiles = "int8-tiles"

  /// The environment variable that chooses the kernel of every decoder a process loads
  /// (`auto`, `blas`, `fp16-panels`, `int8-panels` or `int8-tiles`; unset means `auto`): a way back to
  /// BLAS without a rebuild.
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

/// The decoder's weight matrices as panels: fp16 (`HalfPanelMatrix`) or int8
/// (`BytePanelMatrix`), or as int8 AMX tiles (`ByteTileMatrix`).
struct DecoderPanels: Sendable {
  /// How the weights are kept.
  enum Precision {
    case half, bytes, byteTiles
  }

  struct Layer: Sendable {
    let queryKeyValue, attentionOutput, intermediate, output: any PanelProduct
  }
  /// Embedding → prefix vectors.
  let condition: any PanelProduct
  /// The tied output layer: hidden · tokensᵀ.
  let logits: any PanelProduct
  let layers: [Layer]

  /// Packs every matrix as fp16 (nil when one of them is not exactly fp16) or as int8
  /// panels or tiles (nil when one holds a value that is not finite).
  init?(_ weights: DecoderWeights, config c: DecoderConfig, precision: Precision = .half) {
    let (h, f, p) = (c.hiddenSize, c.intermediateSize, c.prefixLength)
    func pack(_ weight: [Float], _ depth: Int, _ columns: Int) -> (any PanelProduct)? {
      switch precision {
      case .half: HalfPanelMatrix(weight: weight, depth: depth, columns: columns)
      case .bytes: BytePanelMatrix(weight: weight, depth: depth, columns: columns)
      case .byteTiles: ByteTileMatrix(weight: weight, depth: depth, columns: columns)
      }
    }
    let (tokens, vocabulary) = (weights.tokens, c.vocabSize)
    let logits: (any PanelProduct)? =
      switch precision {
      case .half: HalfPanelMatrix(transposing: tokens, rows: vocabulary, width: h)
      case .bytes: BytePanelMatrix(transposing: tokens, rows: vocabulary, width: h)
      case .byteTiles: ByteTileMatrix(transposing: tokens, rows: vocabulary, width: h)
      }
    guard let condition = pack(weights.condition, h, p * h), let logits else { return nil }
    var layers: [Layer] = []
    for layer in weights.layers {
      guard
        let qkv = pack(layer.queryKeyValue, h, 3 * h),
        let attention = pack(layer.attentionOutput, h, h),
        let intermediate = pack(layer.intermediate, h, f),
        let output = pack(layer.output, f, h)
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
