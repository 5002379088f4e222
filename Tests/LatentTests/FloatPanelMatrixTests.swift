import Foundation
import Latent
import Testing

/// The fp32 panel kernel (the encoder's) against a plain double-precision product, whole and
/// split, and the encoder's choice of kernel.
@Suite struct FloatPanelMatrixTests {
  @Test(
    .enabled(if: FloatPanelMatrix.isSupported, "needs AVX-512"),
    arguments: [(1, 5, 1), (3, 17, 31), (7, 384, 1152), (13, 1536, 384)])
  func productMatchesAPlainOne(rows: Int, depth: Int, columns: Int) {
    var random = SplitMix64(seed: UInt64(rows * 7 + depth))
    // Full fp32 weights: nothing is rounded to fp16 here.
    let weight = (0..<depth * columns).map { _ in random.nextGaussian() * 0.1 }
    let matrix = FloatPanelMatrix(weight: weight, depth: depth, columns: columns)
    let worst = worstSplitProductError(matrix, rows: rows, weight: weight, random: &random)
    #expect(
      worst <= 1e-6 * Double(depth), "rows \(rows) depth \(depth) columns \(columns): \(worst)")
  }

  @Test func theEnvironmentChoosesTheEncodersKernel() throws {
    #expect(try EncoderKernel.fromEnvironment([:]) == .blas, "panels are opt-in")
    #expect(try EncoderKernel.fromEnvironment(["LATITUDE_ENCODER_KERNEL": "auto"]) == .automatic)
    #expect(try EncoderKernel.fromEnvironment(["LATITUDE_ENCODER_KERNEL": "blas"]) == .blas)
    #expect(throws: EncoderError.self) {
      try EncoderKernel.fromEnvironment(["LATITUDE_ENCODER_KERNEL": "fp16-panels"])
    }
  }

  @Test(.enabled(if: FloatPanelMatrix.isSupported, "needs AVX-512"))
  func bothKernelsEncodeTheSameVectors() throws {
    let texts = [
      "My flight was delayed for six hours.", "ok", "The committee will reconvene on Tuesday.",
    ]
    let blas = try SentenceEncoder(kernel: .blas)
    let panels = try SentenceEncoder(kernel: .floatPanels)
    // The same model moved to panels (as serve ranks decode candidates), and back.
    let moved = try blas.withKernel(.floatPanels)
    let back = try moved.withKernel(.blas)
    #expect(blas.kernel == .blas && panels.kernel == .floatPanels)
    #expect(moved.kernel == .floatPanels && back.kernel == .blas)
    #expect(try blas.withKernel(.blas) === blas, "the same kernel is the same encoder")
    for threads in [1, 2] {
      let a = blas.encode(texts, batchSize: 3, threads: threads)
      for (name, other) in [("panels", panels), ("moved", moved)] {
        let b = other.encode(texts, batchSize: 3, threads: threads)
        let worst = zip(a.joined(), b.joined()).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-5, "\(name), threads \(threads): \(worst)")
      }
      #expect(back.encode(texts, batchSize: 3, threads: threads) == a, "back on BLAS: bit-equal")
      #expect(
        moved.encode(texts, batchSize: 3, threads: threads)
          == panels.encode(texts, batchSize: 3, threads: threads), "moved = loaded on panels")
    }
  }
}
