import Foundation
import Latent
import Testing

@Suite struct HalfPrecisionCodecTests {
  @Test func roundTripIsExactForFP16Values() throws {
    let vector = LatentVector([0, 1, -1, 0.5, 65504, -0.000061035156, 0.1])
    let bytes = HalfPrecisionCodec.encode(vector)
    #expect(bytes.count == 14)
    #expect(try HalfPrecisionCodec.decode(bytes) == vector)
    #expect(try HalfPrecisionCodec.decode(base64: HalfPrecisionCodec.base64(vector)) == vector)
  }

  @Test func bytesAreLittleEndianHalfFloats() {
    // 1.0 in IEEE half precision is 0x3C00; -2.0 is 0xC000.
    let bytes = HalfPrecisionCodec.encode(LatentVector([1, -2]))
    #expect(Array(bytes) == [0x00, 0x3C, 0x00, 0xC0])
  }

  @Test func roundingIsToNearestHalf() {
    let vector = LatentVector([0.1])
    #expect(vector.floats[0] == Float(Float16(0.1)))
    #expect(abs(vector.floats[0] - 0.1) < 0.0001)
  }

  @Test func finiteness() {
    #expect(LatentVector([1, 2]).isFinite)
    #expect(!LatentVector([1, .nan]).isFinite)
    #expect(!LatentVector([70000]).isFinite)
  }

  @Test func errors() {
    #expect(throws: HalfPrecisionCodec.DecodingError.oddByteCount(3)) {
      try HalfPrecisionCodec.decode(Data([1, 2, 3]))
    }
    #expect(throws: HalfPrecisionCodec.DecodingError.invalidBase64) {
      try HalfPrecisionCodec.decode(base64: "%%%")
    }
  }
}

@Suite struct VectorMathTests {
  @Test func dotNormCosineMatchExactMath() {
    let a: [Float] = [1, 2, 3, 4]
    let b: [Float] = [-2, 0.5, 1, 3]
    #expect(VectorMath.dot(a, b) == 14)
    #expect(abs(VectorMath.norm(a) - 30.0.squareRoot().floatValue) < 1e-6)
    let expected = 14 / (30.0.squareRoot() * 14.25.squareRoot())
    #expect(abs(Double(VectorMath.cosine(a, b)) - expected) < 1e-6)
    #expect(VectorMath.cosine(a, [0, 0, 0, 0]) == 0)
  }
}

extension Double {
  fileprivate var floatValue: Float { Float(self) }
}
