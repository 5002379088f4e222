import ArgumentParser
import Latent

/// Where the decode pipeline's models live; shared by decode, roundtrip and bench decode.
public struct DecoderOptions: ParsableArguments, Sendable {
  @Option(help: "Encoder weights folder.") public var weights = SentenceEncoder.defaultDirectory
  @Option(help: "Decoder folder (config.json, vocab.txt, model.safetensors).")
  public var decoder = TextDecoder.defaultDirectory
  @Option(help: "Sentence bank file (train-split sentences offered as candidates).")
  public var bank = SentenceBank.defaultPath
  @Flag(help: "Decode without the sentence bank (generated text only).") public var noBank = false
  @Option(help: "Words generated text may contain; 'off' lets the decoder spell freely.")
  public var knownWords = KnownWords.defaultPath
  @Option(help: "Correction rounds after the first ranking (0 turns correction off).")
  public var correctSteps = 0
  @Option(help: "How far past the target a correction round aims (alpha).")
  public var correctStrength: Float = DecodeCorrection.measured.strength
  @Option(help: "Candidates generated per correction round.")
  public var correctCandidates = DecodeCorrection.measured.candidates
  @Option(help: "Fluency model weighed in the final ranking; 'off' ranks by cosine alone.")
  public var fluency = FluencyModel.defaultPath
  @Option(help: "Cosine per unit of fluency score in the final ranking (0 = cosine alone).")
  public var fluencyWeight = FluencyRanking.measuredWeight

  /// Loads the encoder, the decoder and (unless --no-bank) the bank.
  public init() {}

  /// Refuses correction settings that would run for minutes or do nothing sensible.
  public func validate() throws {
    guard (0...8).contains(correctSteps), (1...64).contains(correctCandidates),
      correctStrength > 0, correctStrength <= 4
    else {
      throw ValidationError(
        "--correct-steps must be 0–8, --correct-candidates 1–64 and --correct-strength in (0, 4]")
    }
    guard (0...1).contains(fluencyWeight) else {
      throw ValidationError("--fluency-weight must be in 0–1")
    }
  }

  /// The decode pipeline; it ranks candidates on `SentenceEncoder.forRanking()`.
  public func load() throws -> LatentDecoder { try loadWithEncoder().pipeline }

  /// The decode pipeline (ranking candidates on `SentenceEncoder.forRanking()`, as `latitude
  /// serve` does) and the encoder as loaded (`LATITUDE_ENCODER_KERNEL`, BLAS when unset),
  /// which embeds what a command starts from and measures with: its sentences, targets and
  /// axes, as the server embeds nodes. Ranking may round (AMX bf16 tiles); these never do.
  public func loadWithEncoder() throws -> (pipeline: LatentDecoder, encoder: SentenceEncoder) {
    BLAS.useOneThreadPerCall()
    let encoder = try SentenceEncoder(directory: weights)
    let textDecoder = try TextDecoder(
      directory: decoder,
      knownWords: knownWords == "off" ? nil : try KnownWords(contentsOf: knownWords))
    let sentences = noBank ? nil : try SentenceBank(contentsOf: bank)
    let ranking =
      fluency == "off"
      ? nil : FluencyRanking(model: try FluencyModel(contentsOf: fluency), weight: fluencyWeight)
    // Candidates are ranked as `latitude serve` ranks them (`SentenceEncoder.forRanking`).
    let pipeline = try LatentDecoder(
      encoder: try encoder.forRanking(), decoder: textDecoder, bank: sentences,
      correction: correction,
      fluency: ranking)
    return (pipeline, encoder)
  }

  /// The correction policy the options describe.
  public var correction: DecodeCorrection {
    DecodeCorrection(
      steps: correctSteps, strength: correctStrength, candidates: correctCandidates)
  }
}

/// The decode result as JSON (snake_case keys; the text latent as base64 fp16).
public struct DecodeResultJSON: Encodable {
  struct RunnerUp: Encodable {
    var text: String
    var cosine: Float
    var source: String
    var fluency: Float?
  }
  var text: String
  var fidelity: Float
  var source: String
  var runners_up: [RunnerUp]
  var text_latent: String
  /// The chosen text's fluency score, when the pipeline has a fluency model.
  var fluency: Float?

  /// The result as printed; `fluency` scores the texts when given.
  public init(_ result: DecodeResult, fluency: FluencyModel? = nil) {
    text = result.text
    fidelity = result.fidelity
    source = result.source.rawValue
    self.fluency = fluency?.score(result.text)
    runners_up = result.runnersUp.map {
      RunnerUp(
        text: $0.text, cosine: $0.cosine, source: $0.source.rawValue,
        fluency: fluency?.score($0.text))
    }
    text_latent = HalfPrecisionCodec.base64(LatentVector(result.textLatent))
  }
}

/// A number with three decimals, for human-readable output.
public func threeDecimals(_ value: Float) -> String { String(format: "%.3f", Double(value)) }
