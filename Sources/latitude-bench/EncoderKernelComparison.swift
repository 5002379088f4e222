import Dispatch
import Foundation
import Latent

/// The encoder's half of `latitude bench kernels`: the same held-out sentences encoded with
/// the linear layers on `cblas_sgemm` and on fp32 panels (`FloatPanelMatrix`), one thread,
/// in batches of 1 (a typed sentence), 4, 11 (a decode's re-ranking: 8 generated texts and
/// 3 bank sentences) and 64, alternating which kernel goes first. Batches of more than
/// `EncoderKernel.panelRowLimit` tokens run on BLAS either way.
struct EncoderKernelComparison {
  let blas: SentenceEncoder
  let panels: SentenceEncoder

  init(directory: String) throws {
    blas = try SentenceEncoder(directory: directory, kernel: .blas)
    panels = try SentenceEncoder(directory: directory, kernel: .floatPanels)
  }

  /// `encode_ms_{blas,panels}_bN`, `encode_speedup_bN` and `encode_max_abs_diff`.
  func compare(_ texts: [String], rounds: Int = 20) -> [String: Double] {
    var result: [String: Double] = [:]
    var difference: Float = 0
    for batch in [1, 4, 11, 64] {
      var seconds: [String: [Double]] = [:]
      for round in 0..<rounds {
        let start = (round * batch) % max(1, texts.count - batch)
        let slice = Array(texts[start..<min(texts.count, start + batch)])
        let order =
          round % 2 == 0
          ? [("blas", blas), ("panels", panels)]
          : [
            ("panels", panels), ("blas", blas),
          ]
        var found: [String: [[Float]]] = [:]
        for (name, encoder) in order {
          let clock = DispatchTime.now()
          found[name] = encoder.encode(slice, batchSize: slice.count, threads: 1)
          seconds[name, default: []].append(secondsSince(clock))
        }
        for (a, b) in zip(found["blas"]!.joined(), found["panels"]!.joined()) {
          difference = max(difference, abs(a - b))
        }
      }
      let b = percentile(seconds["blas"]!.sorted(), 0.5) * 1000
      let p = percentile(seconds["panels"]!.sorted(), 0.5) * 1000
      result["encode_ms_blas_b\(batch)"] = b
      result["encode_ms_panels_b\(batch)"] = p
      result["encode_speedup_b\(batch)"] = b / p
      benchLog(
        "  \(batch) sentence(s): BLAS p50 \(String(format: "%.2f", b)) ms, panels \(String(format: "%.2f", p)) ms (\(String(format: "%.2f", b / p))×)"
      )
    }
    result["encode_max_abs_diff"] = Double(difference)
    benchLog("  largest embedding difference \(difference)")
    return result
  }
}
