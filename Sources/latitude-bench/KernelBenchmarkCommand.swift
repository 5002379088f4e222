import ArgumentParser
import CommandSupport
import Dispatch
import Foundation
import Latent

/// `latitude bench kernels`: the decoder's matrix products on fp16 panels
/// (`HalfPanelMatrix`) against `cblas_sgemm` on the same weights in fp32, both measured in
/// this run: first one decoder step's products at 1, 4 and 8 rows, then whole generations
/// (greedy, and 8 candidates) on held-out sentences with the decoder loaded each way; then
/// the encoder's linear layers on fp32 panels and AMX bf16 tiles against `cblas_sgemm`
/// (`EncoderKernelComparison`);
/// then the bank scan, one per point against one for several (`BankScanComparison`).
struct KernelBenchmarkCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "kernels",
    abstract:
      "Decoder products on fp16/int8 panels, encoder products on fp32 panels and bf16 tiles.",
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
    let bytes = try TextDecoder(directory: decoder, kernel: .bytePanels)
    var result: [String: Double] = ["panels_supported": 1]
    benchLog("one decoder step's products (OpenBLAS \(BLASKernel.coreName)):")
    for rows in [1, 4, 8] {
      let step = StepProducts(config: blas.config).time(rows: rows, steps: steps)
      result["step_ms_blas_n\(rows)"] = step.blas
      result["step_ms_panels_n\(rows)"] = step.half
      result["step_ms_int8_n\(rows)"] = step.byte
      result["step_speedup_n\(rows)"] = step.blas / step.half
      result["step_int8_speedup_n\(rows)"] = step.half / step.byte
      result["step_max_rel_diff_n\(rows)"] = Double(step.halfDifference)
      result["step_int8_max_rel_diff_n\(rows)"] = Double(step.byteDifference)
      benchLog(
        "  \(rows) rows: BLAS \(format(step.blas)) ms, fp16 panels \(format(step.half)) ms (\(format(step.blas / step.half))×), int8 panels \(format(step.byte)) ms (\(format(step.half / step.byte))× fp16's)"
      )
    }
    let texts = try String(contentsOfFile: sentences, encoding: .utf8)
      .split(separator: "\n").map(String.init).filter { !$0.isEmpty }.prefix(count)
    guard !texts.isEmpty else { throw CLIError("no sentences in \(sentences)") }
    let targets = try SentenceEncoder(directory: encoder).encode(Array(texts))
    benchLog("generating from \(targets.count) held-out sentences with each kernel…")
    result.merge(compareGenerations(blas, panels, targets)) { $1 }
    benchLog("the same with int8 panels against fp16 panels…")
    result.merge(compareQuantized(("fp16", panels), ("int8", bytes), targets)) { $1 }
    if ByteTileMatrix.isSupported {
      benchLog("the same with int8 AMX tiles against int8 panels…")
      let tiles = try TextDecoder(directory: decoder, kernel: .byteTiles)
      result.merge(
        compareQuantized(("int8", bytes), ("int8tiles", tiles), targets, timesReference: false)
      ) { $1 }
    }
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
    let race = GenerationRace(("blas", blas), ("panels", panels), targets)
    var logitDifference: Float = 0
    for (target, greedy) in zip(targets, race.greedy).prefix(20) {
      let a = blas.logits(target: target, tokens: greedy["blas"]!)
      let b = panels.logits(target: target, tokens: greedy["blas"]!)
      for (x, y) in zip(a.joined(), b.joined()) {
        logitDifference = max(logitDifference, abs(x - y))
      }
    }
    let (sameGreedy, sameCandidates) = race.agreement("blas", "panels")
    var result: [String: Double] = [
      "sentences": Double(targets.count),
      "same_greedy_share": Double(sameGreedy) / Double(targets.count),
      "same_candidates_share": Double(sameCandidates) / Double(targets.count),
      "max_abs_logit_diff": Double(logitDifference),
    ]
    for rows in ["n1", "n8"] {
      let b = race.median("blas", rows)
      let p = race.median("panels", rows)
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

  /// Per-sentence latencies of a decoder and a more rounded one (int8 panels against fp16,
  /// int8 tiles against int8 panels) and how often the rounded one generates the same greedy
  /// tokens: `generate_p50_ms_<name>_nR` (the reference's too unless `timesReference` is
  /// false), `generate_<name>_speedup_nR`, `<name>_same_greedy_share`.
  private func compareQuantized(
    _ reference: (String, TextDecoder), _ rounded: (String, TextDecoder), _ targets: [[Float]],
    timesReference: Bool = true
  ) -> [String: Double] {
    let (a, b) = (reference.0, rounded.0)
    let race = GenerationRace(reference, rounded, targets)
    let sameGreedy = race.agreement(a, b).greedy
    var result = ["\(b)_same_greedy_share": Double(sameGreedy) / Double(targets.count)]
    for rows in ["n1", "n8"] {
      let h = race.median(a, rows)
      let q = race.median(b, rows)
      if timesReference { result["generate_p50_ms_\(a)_\(rows)"] = h }
      result["generate_p50_ms_\(b)_\(rows)"] = q
      result["generate_\(b)_speedup_\(rows)"] = h / q
      benchLog("  \(rows): \(a) p50 \(format(h)) ms, \(b) \(format(q)) ms (\(format(h / q))×)")
    }
    benchLog("  same greedy text \(sameGreedy)/\(targets.count)")
    return result
  }

  private func format(_ x: Double) -> String { String(format: "%.2f", x) }
}

/// Two decoders generating from the same targets, one sentence at a time (alternating
/// which goes first): greedy, then 8 seeded candidates, each timed.
private struct GenerationRace {
  /// Milliseconds by "name_n1" / "name_n8".
  private(set) var times: [String: [Double]] = [:]
  /// Per target, each decoder's greedy tokens and candidates, by name.
  private(set) var greedy: [[String: [Int32]]] = []
  private(set) var candidates: [[String: [[Int32]]]] = []

  init(_ first: (String, TextDecoder), _ second: (String, TextDecoder), _ targets: [[Float]]) {
    for (index, target) in targets.enumerated() {
      var greedy: [String: [Int32]] = [:]
      var candidates: [String: [[Int32]]] = [:]
      for (name, decoder) in index % 2 == 0 ? [first, second] : [second, first] {
        var start = DispatchTime.now()
        greedy[name] = decoder.greedy([target])[0]
        times["\(name)_n1", default: []].append(secondsSince(start) * 1000)
        start = DispatchTime.now()
        candidates[name] = decoder.candidates(for: target, count: 8, seed: UInt64(index))
        times["\(name)_n8", default: []].append(secondsSince(start) * 1000)
      }
      self.greedy.append(greedy)
      self.candidates.append(candidates)
    }
  }

  /// The p50 of `name`'s generations at `rows` ("n1" or "n8").
  func median(_ name: String, _ rows: String) -> Double {
    percentile(times["\(name)_\(rows)"]!.sorted(), 0.5)
  }

  /// Targets on which the two gave the same greedy tokens, and the same 8 candidates.
  func agreement(_ a: String, _ b: String) -> (greedy: Int, candidates: Int) {
    (
      greedy.filter { $0[a] == $0[b] }.count,
      candidates.filter { $0[a] == $0[b] }.count
    )
  }
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

  /// Milliseconds per step on each kernel, and the largest difference of a panel product's
  /// output from BLAS's, relative to the output's largest magnitude.
  struct Timing {
    var blas = 0.0, half = 0.0, byte = 0.0
    var halfDifference: Float = 0, byteDifference: Float = 0
  }

  /// Times `steps` steps of each kernel at `rows` rows.
  func time(rows: Int, steps: Int) -> Timing {
    var random = SplitMix64(seed: 7)
    let weights = shapes.map { (k, n) in
      (0..<k * n).map { _ in Float(Float16(random.nextGaussian() * 0.05)) }
    }
    let half: [any PanelProduct] = zip(shapes, weights).map { shape, weight in
      HalfPanelMatrix(weight: weight, depth: shape.0, columns: shape.1)!
    }
    let byte: [any PanelProduct] = zip(shapes, weights).map { shape, weight in
      BytePanelMatrix(weight: weight, depth: shape.0, columns: shape.1)!
    }
    let widest = shapes.map { max($0.0, $0.1) }.max()!
    let input = (0..<rows * widest).map { _ in random.nextGaussian() }
    var blasOut = [Float](repeating: 0, count: rows * widest)
    var panelOut = blasOut
    func runBLAS() {
      for ((k, n), weight) in zip(shapes, weights) {
        BLAS.gemm(
          m: rows, n: n, k: k, a: input, lda: k, b: weight, ldb: n, beta: 0, c: &blasOut, ldc: n)
      }
    }
    func runPanels(_ packed: [any PanelProduct]) {
      for ((k, n), matrix) in zip(shapes, packed) {
        panelOut.withUnsafeMutableBufferPointer { out in
          out.baseAddress!.update(repeating: 0, count: rows * n)
          input.withUnsafeBufferPointer {
            matrix.multiplyAccumulate(
              $0.baseAddress!, rows: rows, lda: k, into: out.baseAddress!, ldc: n, part: nil)
          }
        }
      }
    }
    // Compare the last product (the widest output) of each with BLAS's.
    var timing = Timing()
    runBLAS()
    let last = rows * shapes.last!.1
    let scale = blasOut.prefix(last).map(abs).max() ?? 1
    func difference() -> Float {
      (0..<last).map { abs(blasOut[$0] - panelOut[$0]) / scale }.max() ?? 0
    }
    runPanels(half)
    timing.halfDifference = difference()
    runPanels(byte)
    timing.byteDifference = difference()
    // Blocks of ten steps, rotating which kernel goes first: within a block the kernel has
    // the caches to itself, as in a generation.
    let block = 10
    var seconds = [0.0, 0.0, 0.0]
    for round in 0..<max(1, steps / block) {
      for turn in 0..<3 {
        let kernel = (round + turn) % 3
        let start = DispatchTime.now()
        for _ in 0..<block {
          switch kernel {
          case 0: runBLAS()
          case 1: runPanels(half)
          default: runPanels(byte)
          }
        }
        seconds[kernel] += secondsSince(start)
      }
    }
    let timed = Double(max(1, steps / block) * block)
    timing.blas = seconds[0] * 1000 / timed
    timing.half = seconds[1] * 1000 / timed
    timing.byte = seconds[2] * 1000 / timed
    return timing
  }
}
