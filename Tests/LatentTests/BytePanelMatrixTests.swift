import Foundation
import Latent
import Testing

/// The int8 panel kernel: its products against the fp32 weights it rounds (within the
/// rounding's bound), its refusals, and a decoder loaded on it.
@Suite struct BytePanelMatrixTests {
  @Test(
    .enabled(if: BytePanelMatrix.isSupported, "needs AVX-512"),
    arguments: [(1, 5, 1), (3, 17, 31), (5, 384, 70), (8, 1536, 384), (12, 64, 65)])
  func productIsTheWeightsProductWithinTheRounding(rows: Int, depth: Int, columns: Int) {
    var random = SplitMix64(seed: UInt64(rows * 7 + columns))
    let weight = (0..<depth * columns).map { _ in random.nextGaussian() }
    let input = (0..<rows * depth).map { _ in random.nextGaussian() }
    let matrix = BytePanelMatrix(weight: weight, depth: depth, columns: columns)!
    var output = [Float](repeating: 0.5, count: rows * columns)
    input.withUnsafeBufferPointer { a in
      output.withUnsafeMutableBufferPointer { c in
        matrix.multiplyAccumulate(
          a.baseAddress!, rows: rows, lda: depth, into: c.baseAddress!, ldc: columns, part: nil)
      }
    }
    for j in 0..<columns {
      // Each weight moves at most half a step of its column's grid (largest / 127).
      let step = (0..<depth).map { Double(abs(weight[$0 * columns + j])) }.max()! / 127
      for r in 0..<rows {
        var exact = 0.5
        var bound = 1e-5 * Double(depth)
        for k in 0..<depth {
          let x = Double(input[r * depth + k])
          exact += x * Double(weight[k * columns + j])
          bound += abs(x) * step / 2
        }
        #expect(abs(Double(output[r * columns + j]) - exact) <= bound, "row \(r) column \(j)")
      }
    }
  }

  @Test(.enabled(if: BytePanelMatrix.isSupported, "needs AVX-512"))
  func exactGridValuesComeBackExactly() {
    // A column whose values are multiples of its largest / 127 survives the rounding.
    let (depth, columns) = (4, 2)
    let weight: [Float] = [127, 0.5, -64, 0.25, 1, -1, 0, 0.125]
    let matrix = BytePanelMatrix(weight: weight, depth: depth, columns: columns)!
    var output = [Float](repeating: 0, count: columns)
    let input: [Float] = [1, 1, 1, 1]
    input.withUnsafeBufferPointer { a in
      output.withUnsafeMutableBufferPointer { c in
        matrix.multiplyAccumulate(
          a.baseAddress!, rows: 1, lda: depth, into: c.baseAddress!, ldc: columns, part: nil)
      }
    }
    #expect(output[0] == 64)
    #expect(abs(output[1] - (0.5 + 0.25 - 1 + 0.125)) <= 4 * 1.0 / 127 / 2)
  }

  @Test func weightsThatAreNotFiniteAreRefused() {
    #expect(BytePanelMatrix(weight: [0.1, 0.25, 1, 2], depth: 2, columns: 2) != nil)
    #expect(BytePanelMatrix(weight: [0, 0, 0, 0], depth: 2, columns: 2) != nil)
    #expect(BytePanelMatrix(weight: [.nan, 0.25, 1, 2], depth: 2, columns: 2) == nil)
    #expect(BytePanelMatrix(weight: [.infinity, 0.25, 1, 2], depth: 2, columns: 2) == nil)
    #expect(BytePanelMatrix(transposing: [1, .nan], rows: 1, width: 2) == nil)
  }

  @Test func theEnvironmentCanAskForInt8Panels() throws {
    #expect(
      try DecoderKernel.fromEnvironment(["LATITUDE_DECODER_KERNEL": "int8-panels"]) == .bytePanels)
  }

  @Test(.enabled(if: BytePanelMatrix.isSupported, "needs AVX-512"))
  func aDecoderOnInt8PanelsStaysCloseToFp16() throws {
    let (worst, same, count) = try DecoderFixtures.closeness(of: .bytePanels)
    #expect(worst < 0.5, "largest logit difference \(worst)")
    #expect(same * 2 >= count, "\(same) of \(count) greedy texts the same")
  }
}
