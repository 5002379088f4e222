import Foundation
import Synchronization

/// Latitude's embedding-to-text decoder in Swift: a 384-d sentence embedding becomes
/// `prefixLength` conditioning vectors, then six causal transformer layers generate
/// WordPieces with a KV cache (Weights/decoder/<name>/, trained by
/// python/latitude_tools/train/decoder.py). Generation runs several candidates as one batch so they
/// share the weight traffic.
///
/// Thread-safe: the weights are immutable and every call allocates its own cache, so a pool
/// of threads can decode at once (each BLAS call is single-threaded).
public final class TextDecoder: Sendable {
  /// The model's config.
  public let config: DecoderConfig
  /// The model's name (its folder), e.g. "latitude-prefix-v3"; node.decoded ops carry it.
  public let name: String
  /// Output WordPieces, by decoder id.
  public let vocabulary: [String]
  let weights: DecoderWeights
  /// The weights as panels when `kernel` is `.halfPanels` (fp16), `.bytePanels` (int8) or
  /// `.byteTiles` (int8 on AMX).
  let panels: DecoderPanels?
  /// The kernel the products run on: `.blas`, `.halfPanels`, `.bytePanels` or `.byteTiles`,
  /// never `.automatic`.
  public let kernel: DecoderKernel
  /// Whether a generation may split its products with the spinning helper (a second core)
  /// while it is the only generation running; see `init`.
  public let borrowsIdleCore: Bool
  /// Generations running now, on any thread.
  let generations = Atomic<Int>(0)
  /// Decoder ids of [SEP] (end of text) and of tokens never generated ([PAD], [UNK], [CLS]).
  let separatorID: Int32
  let bannedIDs: [Int32]
  /// Generation stays within these words (nil: any spelling the model produces).
  let knownWords: KnownWords.Constraint?

  /// The default location of the committed decoder.
  public static let defaultDirectory = "Weights/decoder/latitude-prefix-v3"

  /// Loads config.json, vocab.txt and model.safetensors from `directory`. With
  /// `knownWords`, every generated word is one of them (see `KnownWords`). `kernel` nil
  /// means what `LATITUDE_DECODER_KERNEL` says (`DecoderKernel.fromEnvironment`).
  /// With `borrowsIdleCore`, a generation that runs alone splits the products of each step
  /// with a second thread (panel kernels only): for a server with idle cores between
  /// busy spells. Off, every generation stays on its caller's thread (what one-core
  /// latency benchmarks measure).
  /// - Throws: `DecoderError`, naming the missing or malformed file, or a kernel this CPU or
  ///   these weights cannot run.
  public init(
    directory: String = TextDecoder.defaultDirectory, knownWords: KnownWords? = nil,
    kernel: DecoderKernel? = nil, borrowsIdleCore: Bool = false
  ) throws(DecoderError) {
    self.borrowsIdleCore = borrowsIdleCore
    let requested: DecoderKernel
    if let kernel { requested = kernel } else { requested = try DecoderKernel.fromEnvironment() }
    let base = URL(fileURLWithPath: directory)
    name = base.lastPathComponent
    func path(_ name: String) throws(DecoderError) -> String {
      let file = base.appendingPathComponent(name).path
      guard FileManager.default.fileExists(atPath: file) else { throw .missingFile(file) }
      return file
    }
    let configPath = try path("config.json")
    do {
      config = try JSONDecoder().decode(
        DecoderConfig.self, from: Data(contentsOf: URL(fileURLWithPath: configPath)))
    } catch {
      throw .badConfig("\(configPath): \(error)")
    }
    guard config.modelType == "latitude-prefix-decoder",
      config.hiddenSize % config.numAttentionHeads == 0, config.prefixLength > 0,
      config.maxLength > 0
    else {
      throw .badConfig("\(configPath): unsupported model type \(config.modelType) or shape")
    }
    let vocabPath = try path("vocab.txt")
    guard let text = try? String(contentsOfFile: vocabPath, encoding: .utf8) else {
      throw .badVocabulary("\(vocabPath) is unreadable")
    }
    vocabulary = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(
      text.hasSuffix("\n") ? 1 : 0
    ).map(String.init)
    guard vocabulary.count == config.vocabSize else {
      throw .badVocabulary(
        "\(vocabPath) has \(vocabulary.count) pieces; config says \(config.vocabSize)")
    }
    let pieces = vocabulary
    func id(_ token: String) throws(DecoderError) -> Int32 {
      guard let index = pieces.firstIndex(of: token) else {
        throw .badVocabulary("\(vocabPath) lacks \(token)")
      }
      return Int32(index)
    }
    separatorID = try id("[SEP]")
    bannedIDs = [try id("[PAD]"), try id("[UNK]"), try id("[CLS]")]
    self.knownWords = knownWords?.constraint(for: pieces)
    let weightsPath = try path("model.safetensors")
    do {
      weights = try DecoderWeights(SafeTensors(contentsOf: weightsPath), config: config)
    } catch {
      throw .weights(error)
    }
    (panels, self.kernel) = try Self.panels(requested, weights, config, weightsPath)
  }

  /// The panels `requested` calls for, and the kernel that will run.
  private static func panels(
    _ requested: DecoderKernel, _ weights: DecoderWeights, _ config: DecoderConfig,
    _ path: String
  ) throws(DecoderError) -> (DecoderPanels?, DecoderKernel) {
    if requested == .blas { return (nil, .blas) }
    guard HalfPanelMatrix.isSupported else {
      if requested == .automatic { return (nil, .blas) }
      throw .badConfig(
        "the \(requested.rawValue) kernel needs AVX-512, F16C and FMA, which this CPU lacks")
    }
    if requested == .automatic, ByteTileMatrix.isSupported,
      let panels = DecoderPanels(weights, config: config, precision: .byteTiles)
    {
      return (panels, .byteTiles)
    }
    if requested == .byteTiles {
      guard ByteTileMatrix.isSupported else {
        throw .badConfig("the int8-tiles kernel needs AMX-INT8, which this CPU or system lacks")
      }
      guard let panels = DecoderPanels(weights, config: config, precision: .byteTiles) else {
        throw .badConfig("the int8-tiles kernel needs finite weights; \(path) has others")
      }
      return (panels, .byteTiles)
    }
    if requested == .bytePanels || requested == .automatic {
      guard let panels = DecoderPanels(weights, config: config, precision: .bytes) else {
        if requested == .automatic { return (nil, .blas) }
        throw .badConfig("the int8-panels kernel needs finite weights; \(path) has others")
      }
      return (panels, .bytePanels)
    }
    guard let panels = DecoderPanels(weights, config: config) else {
      throw .badConfig(
        "the fp16-panels kernel needs weights that are exactly fp16; \(path) has others")
    }
    return (panels, .halfPanels)
  }

  /// Checks that this decoder inverts `encoder`'s embeddings.
  /// - Throws: `DecoderError.encoderMismatch`.
  public func checkMatches(_ encoder: SentenceEncoder) throws(DecoderError) {
    guard encoder.name == config.encoder, encoder.dimension == config.hiddenSize else {
      throw .encoderMismatch(
        expected: "\(encoder.name) (\(encoder.dimension)-d)",
        actual: "\(config.encoder) (\(config.hiddenSize)-d)")
    }
  }

  /// Checks a target: the right length, finite, not zero. Returns it at unit length.
  /// - Throws: `DecoderError.badTarget`.
  public func validatedTarget(_ target: [Float]) throws(DecoderError) -> [Float] {
    guard target.count == config.hiddenSize else {
      throw .badTarget("has \(target.count) values; the decoder expects \(config.hiddenSize)")
    }
    guard target.allSatisfy(\.isFinite) else { throw .badTarget("contains NaN or infinity") }
    let norm = VectorMath.norm(target)
    guard norm > 1e-6 else { throw .badTarget("is zero") }
    return target.map { $0 / norm }
  }

  /// Teacher-forced next-token logits: row i is the distribution after the prefix and the
  /// first i `tokens` (the parity fixtures compare these with PyTorch).
  public func logits(target: [Float], tokens: [Int32]) -> [[Float]] {
    let state = DecoderState(rows: 1, config: config)
    feedPrefix([target], into: state)
    var result = [Array(UnsafeBufferPointer(start: state.logits, count: config.vocabSize))]
    for token in tokens.prefix(config.maxLength - 1) {
      feed([token], into: state)
      result.append(Array(UnsafeBufferPointer(start: state.logits, count: config.vocabSize)))
    }
    return result
  }
}

extension TextDecoder {
  /// The readable text of generated decoder ids (see `Detokenizer`).
  public func text(_ tokens: [Int32]) -> String {
    Detokenizer.text(tokens.map { vocabulary[Int($0)] })
  }
}
