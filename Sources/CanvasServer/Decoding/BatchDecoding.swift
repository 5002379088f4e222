import Latent

/// What the decode pool needs from a decoder: several points decoded together, with a
/// way to cut the work short, optionally in stages. `LatentDecoder` is the real one; tests
/// use a fake with explicit gates.
protocol BatchDecoding: Sendable {
  /// The decoder's version, logged with every `node.decoded`.
  var name: String { get }
  /// One result per latent; after `shouldStop` returns true the results are meaningless.
  /// With `onStage` the decode is progressive: early stages are reported as
  /// `(index in the batch, stage)` before the final results are returned.
  func decode(
    batch latents: [[Float]], effort: DecodeEffort, shouldStop: () -> Bool,
    onStage: ((Int, StagedText) -> Void)?
  ) -> [Result<DecodeResult, DecoderError>]
}

extension LatentDecoder: BatchDecoding {
  var name: String { decoder.name }

  func decode(
    batch latents: [[Float]], effort: DecodeEffort, shouldStop: () -> Bool,
    onStage: ((Int, StagedText) -> Void)?
  ) -> [Result<DecodeResult, DecoderError>] {
    guard let onStage else {
      return decode(
        batch: latents, candidates: effort.candidates, bankCandidates: effort.bankCandidates,
        shouldStop: shouldStop)
    }
    return decodeProgressively(
      batch: latents, effort: effort, shouldStop: shouldStop, onStage: onStage)
  }
}
