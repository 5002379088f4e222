import Foundation

/// A point in the sentence-embedding space, stored at half precision.
///
/// Latents are logged, snapshotted and sent as fp16 (768 bytes for 384 dimensions), so the
/// canonical value *is* the fp16 one: constructing a `LatentVector` rounds once, and every
/// later copy, encode or decode is exact. That keeps state a pure function of the op log no
/// matter which path an op took.
public struct LatentVector: Hashable, Sendable {
  /// The half-precision components.
  public let halves: [Float16]

  /// Rounds `floats` to fp16. Values beyond fp16's range become ±infinity, which
  /// `isFinite` reports, so validation catches them.
  public init(_ floats: [Float]) {
    halves = floats.map { Float16($0) }
  }

  /// Wraps components that are already fp16.
  public init(halves: [Float16]) {
    self.halves = halves
  }

  /// The number of dimensions.
  public var count: Int { halves.count }

  /// The components widened to Float32, for BLAS.
  public var floats: [Float] { halves.map { Float($0) } }

  /// True when no component is NaN or infinite.
  public var isFinite: Bool {
    // A half is NaN or infinite exactly when its five exponent bits are all ones. Checked
    // four halves at a time: a lane of `(word & mask) ^ mask` is zero only for such a half.
    halves.withUnsafeBytes { raw in
      let mask: UInt64 = 0x7C00_7C00_7C00_7C00
      let words = raw.count / 8
      for index in 0..<words {
        let lanes = (raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self) & mask) ^ mask
        if lanes & 0xFFFF == 0 || lanes & 0xFFFF_0000 == 0 || lanes & 0xFFFF_0000_0000 == 0
          || lanes & 0xFFFF_0000_0000_0000 == 0
        {
          return false
        }
      }
      for offset in stride(from: words * 8, to: raw.count, by: 2)
      where raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self) & 0x7C00 == 0x7C00 {
        return false
      }
      return true
    }
  }
}

extension LatentVector: CustomStringConvertible {
  /// A short summary; 384 numbers help no one in a log line or a test failure.
  public var description: String {
    let head = halves.prefix(3).map { String(format: "%.3f", Float($0)) }.joined(separator: ", ")
    return "LatentVector(\(count)d: [\(head)\(count > 3 ? ", …" : "")])"
  }
}
