/// The stages of a progressive decode, in the order they arrive.
public enum DecodeStage: String, Sendable, Codable, Equatable {
  /// The nearest sentence of the sentence bank, from the int8 scan alone (a few ms).
  case bank
  /// Greedy generation, re-encoded for its fidelity.
  case greedy
}

/// What one stage of a progressive decode found for a point.
public struct StagedText: Sendable, Equatable {
  /// Which stage.
  public var stage: DecodeStage
  /// Its text.
  public var text: String
  /// Cosine between the text's embedding and the target (the bank's is the int8 scan's,
  /// within about 0.003).
  public var fidelity: Float
  /// Generated or from the bank.
  public var source: CandidateSource

  /// Makes a staged text.
  public init(stage: DecodeStage, text: String, fidelity: Float, source: CandidateSource) {
    self.stage = stage
    self.text = text
    self.fidelity = fidelity
    self.source = source
  }
}

/// How hard a decode tries.
public struct DecodeEffort: Sendable, Hashable {
  /// Generated candidates at most, greedy included.
  public var candidates: Int
  /// Bank sentences offered as candidates.
  public var bankCandidates: Int
  /// Sampling is skipped for a point whose greedy text or nearest bank sentence already
  /// reaches this fidelity; nil always samples.
  public var enough: Float?
  /// Correction rounds after the first ranking (previews leave it off).
  public var correction: DecodeCorrection
  /// Candidates of the intent round, generated when no text follows what the edit asked
  /// for (`LatentDecoder+Intents`; 0: no round). A busy room's decodes and previews get
  /// fewer (`BusyEffort`).
  public var intentCandidates: Int

  /// The fidelity above which sampling rarely finds a better text, measured on the
  /// validation split by `latitude bench calibrate-effort` (the result is
  /// Weights/decoder/latitude-prefix-v2/effort.json).
  public static let measuredEnough: Float = 0.87

  /// Bank sentences a decode offers as candidates unless its effort says otherwise (and
  /// the rows a first stage scans for, so the decode after it reuses that scan).
  public static let defaultBankCandidates = 3

  /// Makes an effort.
  public init(
    candidates: Int, bankCandidates: Int = DecodeEffort.defaultBankCandidates,
    enough: Float? = nil,
    correction: DecodeCorrection = .off,
    intentCandidates: Int = LatentDecoder.intentCandidates
  ) {
    self.candidates = candidates
    self.bankCandidates = bankCandidates
    self.enough = enough
    self.correction = correction
    self.intentCandidates = max(0, intentCandidates)
  }
}

extension LatentDecoder {
  /// Where a progressive decode reports its early stages, and when it may stop sampling.
  struct Stages {
    var enough: Float?
    var report: (Int, StagedText) -> Void
  }

  /// Decodes several points progressively: for each, `onStage(index, stage)` is called
  /// with the bank's nearest sentence as soon as the scan ends, then with the greedy text;
  /// the returned result is the final ranking. Points whose greedy text or nearest bank
  /// sentence reaches `effort.enough` skip sampling (their final result ranks greedy and
  /// the bank only); the others get the same candidates as `decode(batch:)` gives them.
  /// Invalid targets fail without stages. `shouldStop` is checked between generation
  /// steps, as in `decode(batch:)`. `intents` is empty or one list per latent; a point with
  /// intents skips sampling only when its greedy text meets them.
  public func decodeProgressively(
    batch latents: [[Float]], intents: [[DecodeIntent]] = [], effort: DecodeEffort,
    shouldStop: () -> Bool = { false }, onStage: (Int, StagedText) -> Void
  ) -> [Result<DecodeResult, DecoderError>] {
    withoutActuallyEscaping(onStage) { onStage in
      eachValid(latents) { targets, indices in
        decodeValid(
          targets, candidates: effort.candidates, bankCandidates: effort.bankCandidates,
          seeds: targets.map(Self.seed(of:)), correction: effort.correction,
          intents: Self.intents(intents, at: indices),
          intentCandidates: effort.intentCandidates, shouldStop: shouldStop,
          stages: Stages(enough: effort.enough) { onStage(indices[$0], $1) }
        )
      }
    }
  }
}
