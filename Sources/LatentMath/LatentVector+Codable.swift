/// In JSON a latent is base64 of its little-endian fp16 bytes: 1 KB of text, not 384 floats.
extension LatentVector: Codable {
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    do {
      self = try HalfPrecisionCodec.decode(base64: text)
    } catch {
      throw DecodingError.dataCorruptedError(
        in: container, debugDescription: "latent: \(error)")
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(HalfPrecisionCodec.base64(self))
  }
}
