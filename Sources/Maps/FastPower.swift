/// x^y for the UMAP SGD's inner loop, as 2^(y·log2 x): log2 from the float's exponent plus
/// a degree-6 polynomial on its mantissa, 2^f from a degree-5 polynomial (least-squares fits
/// on Chebyshev nodes, evaluated by Estrin's scheme). Relative error below 1e-5 for
/// positive, finite x, with no division and no library call (`floorf` is one on baseline
/// x86-64); `powf` took half of a 10,000-point fit. Layout gradients are clipped and noisy
/// by design, so this is far below what changes a map.
enum FastPower {
  /// The scalar form (an edge's attraction): the four-lane one on a single lane, so there
  /// is one pair of fits. An SSE instruction costs what its scalar form does.
  @inline(__always)
  static func pow(_ x: Float, _ y: Float) -> Float { pow(SIMD4(repeating: x), y)[0] }
}

extension FastPower {
  /// `pow` on four lanes (SSE width), for the SGD's negative samples; 2^z is split by
  /// adding 1.5·2²³, which rounds z to an integer in the low mantissa bits, so no lane needs
  /// a float-to-int conversion; f ∈ [−½, ½] has a degree-5 fit (relative error 1e-7).
  @inline(__always)
  static func pow(_ x: SIMD4<Float>, _ y: Float) -> SIMD4<Float> {
    let bits = unsafeBitCast(x, to: SIMD4<Int32>.self)
    let exponent = SIMD4<Float>((bits &>> 23) & 0xff &- 127)
    let t = unsafeBitCast((bits & 0x007f_ffff) | 0x3f80_0000, to: SIMD4<Float>.self) - 1
    let t2 = t * t
    let low = 1.442_534_8 + t * -0.718_033_2
    let middle = 0.457_156_13 + t * -0.277_337_2
    let high = 0.121_468_53 + t * -0.025_790_712
    let z = (y * (exponent + t * (low + t2 * (middle + t2 * high)))).clamped(-126, 126)
    let magic: Float = 12_582_912
    let shifted = z + magic
    let whole = unsafeBitCast(shifted, to: SIMD4<Int32>.self) &- 0x4b40_0000
    let f = z - (shifted - magic)
    let f2 = f * f
    let p0 = 1.000_000_1 + f * 0.693_147_2
    let p1 = 0.240_221_07 + f * 0.055_503_27
    let p2 = 0.009_676_047 + f * 0.001_340_044_2
    let scale = unsafeBitCast((whole &+ 127) &<< 23, to: SIMD4<Float>.self)
    return (p0 + f2 * (p1 + f2 * p2)) * scale
  }
}
