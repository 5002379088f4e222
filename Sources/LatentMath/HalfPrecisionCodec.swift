import Foundation

/// Little-endian fp16 byte encoding of latents, for SQLite blobs and base64 on the wire.
public enum HalfPrecisionCodec {
  /// Errors from decoding fp16 bytes.
  public enum DecodingError: Error, Equatable, CustomStringConvertible {
    /// The byte count is odd, so it cannot hold whole fp16 values.
    case oddByteCount(Int)
    /// The text is not valid base64.
    case invalidBase64

    public var description: String {
      switch self {
      case .oddByteCount(let n): "fp16 data has an odd byte count (\(n))"
      case .invalidBase64: "latent is not valid base64"
      }
    }
  }

  /// Appends the vector's fp16 bytes (little-endian) to `data`.
  public static func append(_ vector: LatentVector, to data: inout Data) {
    vector.halves.withUnsafeBytes { data.append(contentsOf: $0) }
  }

  /// The vector's fp16 bytes.
  public static func encode(_ vector: LatentVector) -> Data {
    var data = Data(capacity: vector.count * 2)
    append(vector, to: &data)
    return data
  }

  /// Decodes little-endian fp16 bytes.
  /// - Throws: `DecodingError.oddByteCount` when the bytes do not hold whole values.
  public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> LatentVector {
    guard bytes.count % 2 == 0 else { throw DecodingError.oddByteCount(bytes.count) }
    let halves = [Float16](unsafeUninitializedCapacity: bytes.count / 2) { buffer, count in
      if bytes.count > 0 {
        UnsafeMutableRawBufferPointer(buffer).copyMemory(from: bytes)
      }
      count = bytes.count / 2
    }
    return LatentVector(halves: halves)
  }

  /// Decodes little-endian fp16 bytes.
  /// - Throws: `DecodingError.oddByteCount` when the bytes do not hold whole values.
  public static func decode(_ data: Data) throws -> LatentVector {
    try data.withUnsafeBytes { try decode($0) }
  }

  /// The vector as base64 of its fp16 bytes: the wire form of a latent.
  public static func base64(_ vector: LatentVector) -> String {
    encode(vector).base64EncodedString()
  }

  /// Parses the base64 wire form of a latent.
  /// - Throws: `DecodingError` for bad base64 or an odd byte count.
  public static func decode(base64: String) throws -> LatentVector {
    guard let data = Data(base64Encoded: base64) else { throw DecodingError.invalidBase64 }
    return try decode(data)
  }
}
