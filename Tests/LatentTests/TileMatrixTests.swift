import Foundation
import Latent
import LatentMath
import Testing

/// The AMX bf16 tile kernel (the encoder's ranking kernel) against a plain double-precision
/// product, whole and split, and an encoder on it against the exact one.
@Suite struct TileMatrixTests {
  @Test(
    .enabled(if: TileMatrix.isSupported, "needs AMX"),
    arguments: [(1, 5, 1), (3, 17, 31), (33, 384, 1152), (13, 1536, 384), (70, 100, 50)])
  func productMatchesAPlainOneWithinBFloat16Rounding(rows: Int, depth: Int, columns: Int) {
    var random = SplitMix64(seed: UInt64(rows * 7 + depth))
    let weight = (0..<depth * columns).map { _ in random.nextGaussian() * 0.1 }
    let matrix = TileMatrix(weight: weight, depth: depth, columns: columns)
    let worst = worstSplitProductError(matrix, rows: rows, weight: weight, random: &random)
    // Both factors lose everything past 8 significant bits (relative 2⁻⁹ each); the errors
    // of a sum of `depth` such products grow like its square root. A misplaced weight
    // errs by about 0.1 · √depth.
    #expect(
      worst <= 0.01 * Double(depth).squareRoot(),
      "rows \(rows) depth \(depth) columns \(columns): \(worst)")
  }

  @Test func splitsStartOnTilePairs() throws {
    let matrix = TileMatrix(weight: [Float](repeating: 1, count: 4 * 100), depth: 4, columns: 100)
    let parts = matrix.split(2)
    #expect(parts == [0..<64, 64..<100])
    let fine = matrix.split(5)
    #expect(fine.joined().count == 100 && fine.last!.isEmpty)
    #expect(
      fine.filter { !$0.isEmpty }.allSatisfy { $0.lowerBound % TileMatrix.partAlignment == 0 })
    #expect(
      try EncoderKernel.fromEnvironment(["LATITUDE_ENCODER_KERNEL": "bf16-tiles"]) == .bf16Tiles)
  }

  @Test(.enabled(if: TileMatrix.isSupported, "needs AMX"))
  func anEncoderOnTilesStaysCloseToTheExactOne() throws {
    let texts = [
      "My flight was delayed for six hours.", "ok", "The committee will reconvene on Tuesday.",
      "Preheat the oven to 200 degrees and grease a baking tin.",
    ]
    let blas = try SentenceEncoder(kernel: .blas)
    let tiles = try blas.withKernel(.bf16Tiles)
    #expect(tiles.kernel == .bf16Tiles)
    let exact = blas.encode(texts, batchSize: 4, threads: 1)
    let one = tiles.encode(texts, batchSize: 4, threads: 1)
    for (a, b) in zip(exact, one) {
      let cosine = zip(a, b).map { $0 * $1 }.reduce(0, +)
      #expect(cosine > 0.999, "\(cosine)")
    }
    #expect(tiles.encode(texts, batchSize: 4, threads: 2) == one, "two threads: bit-equal")
    #expect(tiles.encode(texts, batchSize: 1, threads: 1) == one, "alone: bit-equal")
  }
}
