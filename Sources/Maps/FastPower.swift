/// x^y for the UMAP SGD's inner loop, as 2^(y·log2 x): log2 from the float's exponent plus
/// a degree-6 polynomial on its mantissa, 2^f from a degree-5 polynomial (least-squares fits
/// on Chebyshev nodes, evaluated by Estrin's scheme). Relative error below 1e-5 for positive, finite
/// x, with no division and no library call (`floorf` is one on baseline x86-64); `powf`
/// took half of a 10,000-point fit. Layout gradients are clipped and noisy by design, so
/// this is far below what changes a map.
enum FastPower {
  @inline(__always)
  static func pow(_ x: Float, _ y: Float) -> Float { exp2(y * log2(x)) }

  @inline(__always)
  static func log2(_ x: Float) -> Float {
    let bits = x.bitPattern
    let exponent = Float(Int32(bitPattern: (bits >> 23) & 0xff) - 127)
    let t = Float(bitPattern: (bits & 0x007f_ffff) | 0x3f80_0000) - 1  // [0, 1)
    // Estrin's scheme: three short independent chains instead of one long Horner chain.
    let t2 = t * t
    let low = 1.442_534_8 + t * -0.718_033_2
    let middle = 0.457_156_13 + t * -0.277_337_2
    let high = 0.121_468_53 + t * -0.025_790_712
    return exponent + t * (low + t2 * (middle + t2 * high))
  }

  @inline(__always)
  static func exp2(_ y: Float) -> Float {
    let clamped = min(127, max(-126, y))
    var whole = Int32(clamped)
    if Float(whole) > clamped { whole -= 1 }
    let f = clamped - Float(whole)  // [0, 1)
    let f2 = f * f
    let low: Float = 0.999_999_9 + f * 0.693_154_6
    let middle: Float = 0.240_140_79 + f * 0.055_863_26
    let high: Float = 0.008_946_225 + f * 0.001_895_108_6
    let p = low + f2 * (middle + f2 * high)
    return p * Float(bitPattern: UInt32(whole + 127) << 23)
  }
}
