import Latent

/// What the decode pool needs from a decoder: several points decoded together, with a
/// way to cut the work short. `LatentDecoder` is the real one; tests use a fake with
/// explicit gates.
protocol BatchDecoding: Sendable {
  /// The decoder's version, logged with every `node.decoded`.
  var name: String { get }
  /// One result per latent; after `shouldStop` returns true the results are meaningless.
  func decode(batch latents: [[Float]], candidates: Int, shouldStop: () -> Bool)
    -> [Result<DecodeResult, DecoderError>]
}

extension LatentDecoder: BatchDecoding {
  var name: String { decoder.name }

  func decode(batch latents: [[Float]], candidates: Int, shouldStop: () -> Bool)
    -> [Result<DecodeResult, DecoderError>]
  {
    decode(batch: latents, candidates: candidates, bankCandidates: 3, shouldStop: shouldStop)
  }
}
