import Foundation
import Latent
import Testing

/// The fp16 panel kernel against a plain double-precision product, on awkward shapes (row
/// counts that take its eight- and four-row blocks and their partial ends), and
/// the decoder's choice of kernel.
@Suite struct HalfPanelMatrixTests {
  /// Seeded values that fp16 holds exactly.
  private func halves(_ count: Int, _ random: inout SplitMix64) -> [Float] {
    (0..<count).map { _ in Float(Float16(random.nextGaussian())) }
  }

  @Test(
    .enabled(if: HalfPanelMatrix.isSupported, "needs AVX-512 and F16C"),
    arguments: [
      (1, 5, 1), (3, 17, 31), (4, 64, 32), (5, 384, 70), (6, 40, 33), (9, 33, 97), (8, 1536, 384),
      (12, 64, 65), (16, 24, 32),
    ])
  func productMatchesAPlainOne(rows: Int, depth: Int, columns: Int) {
    var random = SplitMix64(seed: UInt64(rows * 1000 + columns))
    let weight = halves(depth * columns, &random)
    let matrix = HalfPanelMatrix(weight: weight, depth: depth, columns: columns)!
    let worst = worstPanelProductError(
      rows: rows, depth: depth, columns: columns, weight: weight, random: &random
    ) { a, lda, c, ldc in
      matrix.multiplyAccumulate(a, rows: rows, lda: lda, into: c, ldc: ldc)
    }
    // fp32 accumulation of `depth` products of unit-scale values.
    #expect(
      worst <= 1e-5 * Double(depth), "rows \(rows) depth \(depth) columns \(columns): \(worst)")
  }

  @Test(.enabled(if: HalfPanelMatrix.isSupported, "needs AVX-512 and F16C"))
  func aTransposedTableGivesLogits() {
    var random = SplitMix64(seed: 3)
    let (vocabulary, width) = (45, 24)
    let table = halves(vocabulary * width, &random)
    let hidden = halves(2 * width, &random)
    var logits = [Float](repeating: 0, count: 2 * vocabulary)
    let matrix = HalfPanelMatrix(transposing: table, rows: vocabulary, width: width)!
    #expect(matrix.depth == width && matrix.columns == vocabulary)
    hidden.withUnsafeBufferPointer { a in
      logits.withUnsafeMutableBufferPointer { c in
        matrix.multiplyAccumulate(
          a.baseAddress!, rows: 2, lda: width, into: c.baseAddress!, ldc: vocabulary)
      }
    }
    for r in 0..<2 {
      for v in 0..<vocabulary {
        let expected = (0..<width).reduce(0.0) {
          $0 + Double(hidden[r * width + $1]) * Double(table[v * width + $1])
        }
        #expect(abs(expected - Double(logits[r * vocabulary + v])) < 1e-4)
      }
    }
  }

  @Test func weightsThatAreNotExactlyHalvesAreRefused() {
    #expect(HalfPanelMatrix(weight: [0.5, 0.25, 1, 2], depth: 2, columns: 2) != nil)
    #expect(HalfPanelMatrix(weight: [0.1, 0.25, 1, 2], depth: 2, columns: 2) == nil)
    #expect(HalfPanelMatrix(weight: [.nan, 0.25, 1, 2], depth: 2, columns: 2) == nil)
    #expect(HalfPanelMatrix(weight: [1e6, 0.25, 1, 2], depth: 2, columns: 2) == nil)
  }

  @Test func theEnvironmentChoosesTheDecodersKernel() throws {
    #expect(try DecoderKernel.fromEnvironment([:]) == .automatic)
    #expect(try DecoderKernel.fromEnvironment(["LATITUDE_DECODER_KERNEL": ""]) == .automatic)
    #expect(try DecoderKernel.fromEnvironment(["LATITUDE_DECODER_KERNEL": "blas"]) == .blas)
    #expect(
      try DecoderKernel.fromEnvironment(["LATITUDE_DECODER_KERNEL": "fp16-panels"]) == .halfPanels)
    #expect(throws: DecoderError.self) {
      try DecoderKernel.fromEnvironment(["LATITUDE_DECODER_KERNEL": "fast"])
    }
  }

  @Test func theEnvironmentChoosesWhetherDecodesBorrowAnIdleCore() throws {
    #expect(try IdleCoreBorrowing.fromEnvironment([:], cores: 2))
    #expect(try !IdleCoreBorrowing.fromEnvironment([:], cores: 1))
    #expect(try !IdleCoreBorrowing.fromEnvironment(["LATITUDE_DECODER_BORROW_CORE": "0"], cores: 2))
    #expect(try IdleCoreBorrowing.fromEnvironment(["LATITUDE_DECODER_BORROW_CORE": "1"], cores: 1))
    #expect(throws: DecoderError.self) {
      try IdleCoreBorrowing.fromEnvironment(["LATITUDE_DECODER_BORROW_CORE": "yes"], cores: 2)
    }
  }

  @Test func theDecoderRunsOnTheKernelItWasGiven() throws {
    #expect(try DecoderFixtures.loaded(kernel: .blas).kernel == .blas)
    #expect(try DecoderFixtures.loaded().kernel == DecoderFixtures.exactKernel)
    let automatic = try TextDecoder(directory: DecoderFixtures.directory, kernel: .automatic)
    let fastest: DecoderKernel =
      ByteTileMatrix.isSupported ? .byteTiles : HalfPanelMatrix.isSupported ? .bytePanels : .blas
    #expect(automatic.kernel == fastest)
    if !HalfPanelMatrix.isSupported {
      for kernel in [DecoderKernel.halfPanels, .bytePanels] {
        #expect(throws: DecoderError.self) {
          try TextDecoder(directory: DecoderFixtures.directory, kernel: kernel)
        }
      }
    }
  }

  @Test func aSplitCoversEveryColumnOnPanelBoundaries() {
    for columns in [20, 40, 384, 8196] {
      let matrix = HalfPanelMatrix(
        weight: [Float](repeating: 1, count: 2 * columns), depth: 2, columns: columns)!
      let parts = matrix.split(2)
      #expect(parts.count == 2 && parts[0].lowerBound == 0 && parts[1].upperBound == columns)
      #expect(parts[0].upperBound == parts[1].lowerBound)
      #expect(parts[1].isEmpty || parts[1].lowerBound % 32 == 0)
      #expect(parts[0].count >= parts[1].count)
    }
  }

  @Test(.enabled(if: HalfPanelMatrix.isSupported, "needs AVX-512 and F16C"))
  func aGenerationOnTwoCoresGivesTheSameTokens() throws {
    for kernel in [DecoderKernel.halfPanels, .bytePanels] {
      let directory = DecoderFixtures.directory
      let alone = try TextDecoder(directory: directory, kernel: kernel)
      let shared = try TextDecoder(directory: directory, kernel: kernel, borrowsIdleCore: true)
      #expect(shared.borrowsIdleCore && !alone.borrowsIdleCore)
      let targets = DecoderFixtures.file.cases.prefix(6).map(\.target)
      #expect(shared.greedy(Array(targets)) == alone.greedy(Array(targets)), "\(kernel)")
      for (index, target) in targets.enumerated() {
        let seed = UInt64(index)
        #expect(
          shared.candidates(for: target, count: 8, seed: seed)
            == alone.candidates(for: target, count: 8, seed: seed), "\(kernel)")
      }
    }
  }
}
