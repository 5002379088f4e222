import ArgumentParser
import CommandSupport
import Dispatch
import Foundation
import Latent

/// `latitude bench kernels`: the decoder's matrix products on fp16 panels
/// (`HalfPanelMatrix`) against `cblas_sgemm` on the same weights in fp32, both measured in
/// this run: first one decoder step's products at 1, 4 and 8 rows, then whole generations
/// (greedy, and 8 candidates) on held-out sentences with the decoder loaded each way; then
/// the encoder's linear layers on fp32 panels against `cblas_sgemm` (`EncoderKernelComparison`);
/// then the bank scan, one per point against one for several (`BankScanComparison`).
struct KernelBenchmarkCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "kernels",
    abstract:
      "Decoder products on fp16 panels and encoder products on fp32 panels vs cblas_sgemm.",
    discussion: """
      Speed-ups are BLAS time ÷ panel time (above 1: the panels are faster). Also reports how
      often the two kernels generate the same tokens (they differ only in summation order)
      and the largest teacher-forced logit difference. On a CPU without AVX-512 it says so
      and measures nothing. One thread, as the server's decode workers run.
      """)

  @Option(help: "Held-out sentences, one per line.")
  var sentences = "Weights/train/test-sample.txt"
  @Option(help: "Sentences to generate from.") var count = 100
  @Option(help: "Decoder steps timed per row count in the product benchmark.") var steps = 100
  @Option(help: "Decoder folder.") var decoder = TextDecoder.defaultDirectory
  @Option(help: "Encoder weights folder.") var encoder = SentenceEncoder.defaultDirectory
  @Option(help: "Sentence bank file.") var bank = SentenceBank.defaultPath

  func run() throws {
    BLAS.useOneThreadPerCall()
    guard HalfPanelMatrix.isSupported else {
      benchLog("this CPU lacks AVX-512/F16C: the decoder runs on BLAS; nothing to compare")
      writeOut(jsonLine(["panels_supported": 0]))
      return
    }
    let blas = try TextDecoder(directory: decoder, kernel: .blas)
    let panels = try TextDecoder(directory: decoder, kernel: .halfPanels)
    var result: [String: Double] = ["panels_supported": 1]
    benchLog("one decoder step's products (OpenBLAS \(BLASKernel.coreName)):")
    for rows in [1, 4, 8] {
      let (blasMs, panelMs, difference) = StepProducts(config: blas.config).time(
        rows: rows, steps: steps)
      result["step_ms_blas_n\(rows)"] = blasMs
      result["step_ms_panels_n\(rows)"] = panelMs
      result["step_speedup_n\(rows)"] = blasMs / panelMs
      result["step_max_rel_diff_n\(rows)"] = Double(difference)
      benchLog(
        "  \(rows) rows: BLAS \(format(blasMs)) ms, panels \(format(panelMs)) ms (\(format(blasMs / panelMs))×)"
      )
    }
    let texts = try String(contentsOfFile: sentences, encoding: .utf8)
      .split(separator: "\n").map(String.init).filter { !$0.isEmpty }.prefix(count)
    guard !texts.isEmpty else { throw CLIError("no sentences in \(sentences)") }
    let targets = try SentenceEncoder(directory: encoder).encode(Array(texts))
    benchLog("generating from \(targets.count) held-out sentences with each kernel…")
    result.merge(compareGenerations(blas, panels, targets)) { $1 }
    benchLog("encoding the same sentences with each encoder kernel…")
    result.merge(try EncoderKernelComparison(directory: encoder).compare(Array(texts))) { $1 }
    benchLog("the nearest bank sentences of the same points, one scan each and one for all…")
    result.merge(BankScanComparison(bank: try SentenceBank(contentsOf: bank)).compare(targets)) {
      $1
    }
    writeOut(jsonLine(result))
  }

  /// Per-sentence latencies of both decoders (alternating which goes first), how often
  /// they agree, and the largest teacher-forced logit difference.
  private func compareGenerations(
    _ blas: TextDecoder, _ panels: TextDecoder, _ targets: [[Float]]
  ) -> [String: Double] {
    var times: [String: [Double]] = [:]
    var sameGreedy = 0
    var sameCandidates = 0
    var logitDifference: Float = 0
    for (index, target) in targets.enumerated() {
      let order =
        index % 2 == 0
        ? [("blas", blas), ("panels", panels)] : [("panels", panels), ("blas", blas)]
      var greedy: [String: [Int32]] = [:]
      var candidates: [String: [[Int32]]] = [:]
      for (name, decoder) in order {
        var start = DispatchTime.now()
        greedy[name] = decoder.greedy([target])[0]
        times["\(name)_n1", default: []].append(secondsSince(start) * 1000)
        start = DispatchTime.now()
        candidates[name] = decoder.candidates(for: target, count: 8, seed: UInt64(index))
        times["\(name)_n8", default: []].append(secondsSince(start) * 1000)
      }
      if greedy["blas"] == greedy["panels"] { sameGreedy += 1 }
      if candidates["blas"] == candidates["panels"] { sameCandidates += 1 }
      if index < 20 {
        let tokens = greedy["blas"]!
        let a = blas.logits(target: target, tokens: tokens)
        let b = panels.logits(target: target, tokens: tokens)
        for (x, y) in zip(a.joined(), b.joined()) {
          logitDifference = max(logitDifference, abs(x - y))
        }
      }
    }
    var result: [String: Double] = [
      "sentences": Double(targets.count),
      "same_greedy_share": Double(sameGreedy) / Double(targets.count),
      "same_candidates_share": Double(sameCandidates) / Double(targets.count),
      "max_abs_logit_diff": Double(logitDifference),
    ]
    for rows in ["n1", "n8"] {
      let b = percentile(times["blas_\(rows)"]!.sorted(), 0.5)
      let p = percentile(times["panels_\(rows)"]!.sorted(), 0.5)
      result["generate_p50_ms_blas_\(rows)"] = b
      result["generate_p50_ms_panels_\(rows)"] = p
      result["generate_speedup_\(rows)"] = b / p
      benchLog("  \(rows): BLAS p50 \(format(b)) ms, panels \(format(p)) ms (\(format(b / p))×)")
    }
    benchLog(
      "  same greedy text \(sameGreedy)/\(targets.count), same 8 candidates \(sameCandidates)/\(targets.count), max logit diff \(logitDifference)"
    )
    return result
  }

  private func format(_ x: Double) -> String { String(format: "%.2f", x) }
}

/// The products of one decoder step (every layer's four, then the logits) on seeded weights
/// of the decoder's shapes, exactly fp16, each layer its own copy so that the memory traffic
/// is a real step's.
private struct StepProducts {
  /// (depth, columns) of each product.
  let shapes: [(Int, Int)]

  init(config c: DecoderConfig) {
    let (h, f) = (c.hiddenSize, c.intermediateSize)
    let layer = [(h, 3 * h), (h, h), (h, f), (f, h)]
    shapes = Array(Array(repeating: layer, count: c.numHiddenLayers).joined()) + [(h, c.vocabSize)]
  }

  /// Milliseconds per step on BLAS and on panels, and the largest difference of an output
  /// relative to the output's largest magnitude.
  func time(rows: Int, steps: Int) -> (Double, Double, Float) {
    var random = SplitMix64(seed: 7)
    let weights = shapes.map { (k, n) in
      (0..<k * n).map { _ in Float(Float16(random.nextGaussian() * 0.05)) }
    }
    let packed = zip(shapes, weights).map { shape, weight in
      HalfPanelMatrix(weight: weight, depth: shape.0, columns: shape.1)!
    }
    let widest = shapes.map { max($0.0, $0.1) }.max()!
    let input = (0..<rows * widest).map { _ in random.nextGaussian() }
    var blasOut = [Float](repeating: 0, count: rows * widest)
    var panelOut = blasOut
    var difference: Float = 0
    func runBLAS() {
      for ((k, n), weight) in zip(shapes, weights) {
        BLAS.gemm(
          m: rows, n: n, k: k, a: input, lda: k, b: weight, ldb: n, beta: 0, c: &blasOut, ldc: n)
      }
    }
    func runPanels() {
      for ((k, n), matrix) in zip(shapes, packed) {
        panelOut.withUnsafeMutableBufferPointer { out in
          out.baseAddress!.update(repeating: 0, count: rows * n)
          input.withUnsafeBufferPointer {
            matrix.multiplyAccumulate(
              $0.baseAddress!, rows: rows, lda: k, into: out.baseAddress!, ldc: n)
          }
        }
      }
    }
    runBLAS()
    runPanels()
    // Compare the last product (the widest output) of both.
    let last = rows * shapes.last!.1
    let scale = blasOut.prefix(last).map(abs).max() ?? 1
    for i in 0..<last { difference = max(difference, abs(blasOut[i] - panelOut[i]) / scale) }
    var blasSeconds = 0.0
    var panelSeconds = 0.0
    // Blocks of ten steps, alternating which kernel goes first: within a block the kernel
    // has the caches to itself, as in a generation.
    let block = 10
    for round in 0..<max(1, steps / block) {
      for blasTurn in round % 2 == 0 ? [true, false] : [false, true] {
        let start = DispatchTime.now()
        for _ in 0..<block {
          if blasTurn { runBLAS() } else { runPanels() }
        }
        if blasTurn {
          blasSeconds += secondsSince(start)
        } else {
          panelSeconds += secondsSince(start)
        }
      }
    }
    let timed = Double(max(1, steps / block) * block)
    return (blasSeconds * 1000 / timed, panelSeconds * 1000 / timed, difference)
  }
}
