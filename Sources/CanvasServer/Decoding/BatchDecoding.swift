import Latent

/// What the decode pool needs from a decoder: several points decoded together, with a
/// way to cut the work short, optionally in stages. `LatentDecoder` is the real one; tests
/// use a fake with explicit gates.
protocol BatchDecoding: Sendable {
  /// The decoder's version, logged with every `node.decoded`.
  var name: String { get }
  /// One result per latent; after `shouldStop` returns true the results are meaningless.
  /// `intents` holds one list per latent (what the edit asked for; see `DecodeIntent`).
  /// With `onStage` the decode is progressive: early stages are reported as
  /// `(index in the batch, stage)` before the final results are returned.
  func decode(
    batch latents: [[Float]], intents: [[DecodeIntent]], effort: DecodeEffort,
    shouldStop: () -> Bool, onStage: ((Int, StagedText) -> Void)?
  ) -> [Result<DecodeResult, DecoderError>]
  /// The cheapest readable text for each point (the bank's nearest sentence), found at
  /// once when progressive jobs are queued so it never waits behind other decodes; nil
  /// where there is none (no bank, or an invalid point). One call for several points costs
  /// little more than one.
  func quickStages(_ latents: [[Float]]) -> [StagedText?]
}

extension LatentDecoder: BatchDecoding {
  var name: String { decoder.name }

  func decode(
    batch latents: [[Float]], intents: [[DecodeIntent]], effort: DecodeEffort,
    shouldStop: () -> Bool, onStage: ((Int, StagedText) -> Void)?
  ) -> [Result<DecodeResult, DecoderError>] {
    guard let onStage else {
      return decode(
        batch: latents, candidates: effort.candidates, bankCandidates: effort.bankCandidates,
        correction: effort.correction, intents: intents,
        intentCandidates: effort.intentCandidates, shouldStop: shouldStop)
    }
    return decodeProgressively(
      batch: latents, intents: intents, effort: effort, shouldStop: shouldStop, onStage: onStage)
  }

  func quickStages(_ latents: [[Float]]) -> [StagedText?] {
    guard let bank else { return latents.map { _ in nil } }
    // An invalid point gets an empty target, which the scan skips. As many rows as a decode
    // takes from the bank, so the decode that follows reuses this scan.
    let targets = latents.map { (try? decoder.validatedTarget($0)) ?? [] }
    return nearestBankSentences(targets, k: DecodeEffort.defaultBankCandidates).map { hits in
      hits.first.map { top in
        StagedText(
          stage: .bank, text: bank.texts[top.row], fidelity: top.cosine, source: .bank)
      }
    }
  }
}
