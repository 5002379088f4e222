import Foundation
import Latent
import Testing

/// The AMX int8 tile kernel: the same quantized weights as the int8 panels, activations
/// rounded per row, products within both roundings' bound, and a decoder loaded on it.
@Suite struct ByteTileMatrixTests {
  @Test(
    .enabled(if: ByteTileMatrix.isSupported, "needs AMX-INT8"),
    arguments: [(1, 5, 1), (3, 17, 31), (8, 384, 1152), (20, 1536, 70), (12, 64, 65)])
  func productIsTheWeightsProductWithinBothRoundings(rows: Int, depth: Int, columns: Int) {
    var random = SplitMix64(seed: UInt64(rows * 7 + columns))
    let weight = (0..<depth * columns).map { _ in random.nextGaussian() }
    let input = (0..<rows * depth).map { _ in random.nextGaussian() }
    let matrix = ByteTileMatrix(weight: weight, depth: depth, columns: columns)!
    var output = [Float](repeating: 0.5, count: rows * columns)
    input.withUnsafeBufferPointer { a in
      output.withUnsafeMutableBufferPointer { c in
        for part in matrix.split(2) {
          matrix.multiplyAccumulate(
            a.baseAddress!, rows: rows, lda: depth, into: c.baseAddress!, ldc: columns,
            part: part)
        }
      }
    }
    for j in 0..<columns {
      // A weight moves at most half a step of its column's grid, an input half a step of
      // its row's.
      let weightStep = (0..<depth).map { Double(abs(weight[$0 * columns + j])) }.max()! / 127
      for r in 0..<rows {
        let row = input[r * depth..<(r + 1) * depth].map { Double($0) }
        let inputStep = row.map(abs).max()! / 127
        var exact = 0.5
        var bound = 1e-4 * Double(depth)
        for k in 0..<depth {
          let w = Double(weight[k * columns + j])
          exact += row[k] * w
          bound += abs(row[k]) * weightStep / 2 + (abs(w) + weightStep / 2) * inputStep / 2
        }
        #expect(abs(Double(output[r * columns + j]) - exact) <= bound, "row \(r) column \(j)")
      }
    }
  }

  @Test(.enabled(if: ByteTileMatrix.isSupported, "needs AMX-INT8"))
  func inputsOnTheGridGiveThePanelsProduct() {
    // Integer inputs whose largest is 127 are their own int8 rounding: the tiles then
    // multiply exactly what the panels multiply.
    let (rows, depth, columns) = (3, 200, 90)
    var random = SplitMix64(seed: 11)
    let weight = (0..<depth * columns).map { _ in random.nextGaussian() }
    var input = (0..<rows * depth).map { _ in Float(Int(random.next() % 255) - 127) }
    for r in 0..<rows { input[r * depth] = 127 }
    let tiles = ByteTileMatrix(weight: weight, depth: depth, columns: columns)!
    let panels = BytePanelMatrix(weight: weight, depth: depth, columns: columns)!
    var products: [[Float]] = []
    for matrix in [tiles, panels] as [any PanelProduct] {
      var output = [Float](repeating: 0, count: rows * columns)
      input.withUnsafeBufferPointer { a in
        output.withUnsafeMutableBufferPointer { c in
          matrix.multiplyAccumulate(
            a.baseAddress!, rows: rows, lda: depth, into: c.baseAddress!, ldc: columns, part: nil)
        }
      }
      products.append(output)
    }
    for (x, y) in zip(products[0], products[1]) {
      #expect(abs(x - y) <= 1e-5 * max(1, abs(y)) * Float(depth), "\(x) against \(y)")
    }
  }

  @Test func weightsThatAreNotFiniteAreRefusedAndTheKernelIsNamed() throws {
    #expect(ByteTileMatrix(weight: [.nan, 0.25, 1, 2], depth: 2, columns: 2) == nil)
    #expect(ByteTileMatrix(transposing: [1, .infinity], rows: 1, width: 2) == nil)
    #expect(
      try DecoderKernel.fromEnvironment(["LATITUDE_DECODER_KERNEL": "int8-tiles"]) == .byteTiles)
    if !ByteTileMatrix.isSupported {
      #expect(throws: DecoderError.self) {
        try TextDecoder(directory: DecoderFixtures.directory, kernel: .byteTiles)
      }
    }
  }

  @Test(.enabled(if: ByteTileMatrix.isSupported, "needs AMX-INT8"))
  func aDecoderOnInt8TilesStaysCloseToFp16() throws {
    // Activations are rounded too: a looser logit bound than the int8 panels' 0.5.
    let (worst, same, count) = try DecoderFixtures.closeness(of: .byteTiles)
    #expect(worst < 1, "largest logit difference \(worst)")
    #expect(same * 2 >= count, "\(same) of \(count) greedy texts the same")
  }
}
