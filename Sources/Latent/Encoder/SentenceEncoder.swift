import Dispatch
import Foundation
import Synchronization

/// all-MiniLM-L6-v2 in Swift: BERT uncased WordPiece, 6 transformer layers on OpenBLAS,
/// mean pooling and L2 normalisation, matching sentence-transformers numerically.
///
/// Sequences of a batch are packed end to end rather than padded: every linear layer runs
/// once over all tokens of the batch, and attention runs per sequence. Thread-safe: the
/// weights are immutable and each call allocates its own scratch space, so a pool of
/// threads can encode concurrently (each BLAS call is single-threaded).
public final class SentenceEncoder: Sendable {
  /// The model's config.
  public let config: BertConfig
  /// The tokenizer (its `maxLength` is the model's max_seq_length).
  public let tokenizer: WordPieceTokenizer
  /// The encoder's id, e.g. "all-MiniLM-L6-v2".
  public let name: String
  /// Embedding tables and their LayerNorm.
  let embeddings: BertEmbeddings
  /// The transformer layers, laid out for inference.
  let layers: [EncoderLayer]
  /// The kernel the linear layers run on (`blas` or `fp32-panels`).
  public let kernel: EncoderKernel

  /// The embedding dimension.
  public var dimension: Int { config.hiddenSize }

  /// The default location of the fetched weights.
  public static let defaultDirectory = "Weights/encoder/all-MiniLM-L6-v2"

  /// Loads config.json, sentence_bert_config.json, vocab.txt and model.safetensors.
  /// `kernel` defaults to what `LATITUDE_ENCODER_KERNEL` says (unset: BLAS; `auto`: fp32
  /// panels where the CPU runs them).
  /// - Throws: `EncoderError`, naming the missing file and the command that fetches it, or
  ///   a bad kernel setting.
  public init(
    directory: String = SentenceEncoder.defaultDirectory, kernel: EncoderKernel? = nil
  ) throws(EncoderError) {
    let asked: EncoderKernel
    if let kernel { asked = kernel } else { asked = try EncoderKernel.fromEnvironment() }
    let kernel = try asked.resolved()
    let base = URL(fileURLWithPath: directory)
    func path(_ name: String) throws(EncoderError) -> String {
      let file = base.appendingPathComponent(name).path
      guard FileManager.default.fileExists(atPath: file) else { throw .missingFile(file) }
      return file
    }
    func decode<T: Decodable>(_ type: T.Type, _ name: String) throws(EncoderError) -> T {
      let file = try path(name)
      do {
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: URL(fileURLWithPath: file)))
      } catch {
        throw .badConfig("\(file): \(error)")
      }
    }
    config = try decode(BertConfig.self, "config.json")
    guard config.hiddenAct == "gelu", config.hiddenSize % config.numAttentionHeads == 0 else {
      throw .badConfig("unsupported activation \(config.hiddenAct) or head split")
    }
    let maxLength = try decode(SentenceBertConfig.self, "sentence_bert_config.json").maxSeqLength
    do {
      tokenizer = try WordPieceTokenizer(
        vocabularyPath: try path("vocab.txt"),
        maxLength: min(maxLength, config.maxPositionEmbeddings))
    } catch let error as EncoderError {
      throw error
    } catch {
      throw .tokenizer(error as! TokenizerError)
    }
    let weightsPath = try path("model.safetensors")
    let weights: BertWeights
    do {
      weights = try BertWeights(SafeTensors(contentsOf: weightsPath), config: config)
    } catch {
      throw .weights(error)
    }
    embeddings = weights.embeddings
    let (hidden, intermediate) = (config.hiddenSize, config.intermediateSize)
    let plain = weights.layers.map { EncoderLayer($0, hidden: hidden, intermediate: intermediate) }
    layers = plain.map { $0.laidOut(for: kernel, hidden: hidden, intermediate: intermediate) }
    self.kernel = kernel
    name = base.lastPathComponent
  }

  /// The same model on another kernel: the tokenizer, the embeddings and the plain
  /// weights are shared (no copy); only panels are laid out when the new kernel runs on
  /// them. `latitude serve` ranks decode candidates this way on the panels (a candidate is
  /// a short pass, where BLAS's re-packing of the weights costs more than the arithmetic)
  /// while node embeddings stay on the kernel every map and fixture was made with.
  /// - Throws: `EncoderError.badConfig` for `fp32-panels` on a CPU without AVX-512.
  public func withKernel(_ asked: EncoderKernel) throws(EncoderError) -> SentenceEncoder {
    let kernel = try asked.resolved()
    guard kernel != self.kernel else { return self }
    let (hidden, intermediate) = (config.hiddenSize, config.intermediateSize)
    let relaid = layers.map {
      $0.laidOut(for: kernel, hidden: hidden, intermediate: intermediate)
    }
    return SentenceEncoder(
      config: config, tokenizer: tokenizer, name: name, embeddings: embeddings, layers: relaid,
      kernel: kernel)
  }

  /// The encoder a decode pipeline ranks its candidates with: this model on AMX's bf16
  /// tiles where the CPU and the system allow them, else on fp32 panels where the CPU has
  /// AVX-512, unless `LATITUDE_ENCODER_KERNEL` chose a kernel (then this encoder as
  /// loaded). The server, the CLI and the benchmarks all rank this way.
  /// - Throws: `EncoderError.badConfig` as `withKernel`.
  public func forRanking(
    _ environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws(EncoderError) -> SentenceEncoder {
    let chosen = environment[EncoderKernel.environmentVariable]?.isEmpty == false
    return chosen ? self : try withKernel(TileMatrix.isSupported ? .bf16Tiles : .automatic)
  }

  private init(
    config: BertConfig, tokenizer: WordPieceTokenizer, name: String, embeddings: BertEmbeddings,
    layers: [EncoderLayer], kernel: EncoderKernel
  ) {
    self.config = config
    self.tokenizer = tokenizer
    self.name = name
    self.embeddings = embeddings
    self.layers = layers
    self.kernel = kernel
  }

  /// The unit-length embedding of one text. With `threads` > 1 each layer's work is split
  /// across that many threads, for the lowest latency on an idle machine.
  public func encode(_ text: String, threads: Int = 1) -> [Float] {
    encode(tokenIDs: [tokenizer.encode(text)], threads: threads)[0]
  }

  /// Unit-length embeddings of `texts`, in order. Work is split into batches of
  /// `batchSize` texts, run on up to `threads` threads at once.
  public func encode(_ texts: [String], batchSize: Int = 32, threads: Int = 1) -> [[Float]] {
    let ids = texts.map(tokenizer.encode)
    let batches = stride(from: 0, to: ids.count, by: max(1, batchSize)).map {
      $0..<min($0 + max(1, batchSize), ids.count)
    }
    let results = ResultSlots<[[Float]]>(count: batches.count)
    let workers = max(1, min(threads, batches.count))
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      for index in stride(from: worker, to: batches.count, by: workers) {
        results.set(index, encode(tokenIDs: Array(ids[batches[index]])))
      }
    }
    return results.values.flatMap { $0 }
  }

  /// Unit-length embeddings of already-tokenised sequences (each with [CLS] and [SEP]).
  public func encode(tokenIDs sequences: [[Int32]], threads: Int = 1) -> [[Float]] {
    ServiceThread.assertNotCurrent("an encode")
    guard !sequences.isEmpty else { return [] }
    let forward = EncoderForward(encoder: self, sequences: sequences, threads: threads)
    return forward.run()
  }
}

/// Write-once slots filled from concurrent workers.
public final class ResultSlots<Value: Sendable>: Sendable {
  private struct Slots {
    var values: [Value?]
    var filled = 0
  }
  private let slots: Mutex<Slots>

  /// `count` empty slots.
  public init(count: Int) { slots = Mutex(Slots(values: Array(repeating: nil, count: count))) }

  /// Fills slot `index`; returns how many slots are filled now (for progress).
  @discardableResult
  public func set(_ index: Int, _ value: Value) -> Int {
    slots.withLock { slots in
      slots.values[index] = value
      slots.filled += 1
      return slots.filled
    }
  }

  /// Every slot's value, in order; all must have been set.
  public var values: [Value] { slots.withLock { $0.values.map { $0! } } }
}
