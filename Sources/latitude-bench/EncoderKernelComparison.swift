import Dispatch
import Foundation
import Latent
import LatentMath

/// The encoder's half of `latitude bench kernels`: the same held-out sentences encoded with
/// the linear layers on `cblas_sgemm`, on fp32 panels (`FloatPanelMatrix`) and, where AMX
/// runs, on bf16 tiles (`TileMatrix`, what decodes rank with), one thread, in batches of 1
/// (a typed sentence), 4, 11 (a decode's re-ranking: 8 generated texts and 3 bank
/// sentences) and 64, rotating which kernel goes first. Batches of more than
/// `EncoderKernel.panelRowLimit` tokens run on BLAS on the panels' side.
struct EncoderKernelComparison {
  let kernels: [(name: String, encoder: SentenceEncoder)]

  init(directory: String) throws {
    let blas = try SentenceEncoder(directory: directory, kernel: .blas)
    var kernels = [("blas", blas), ("panels", try blas.withKernel(.floatPanels))]
    if TileMatrix.isSupported { kernels.append(("tiles", try blas.withKernel(.bf16Tiles))) }
    self.kernels = kernels
  }

  /// `encode_ms_{blas,panels,tiles}_bN`, `encode_speedup_bN` (panels against BLAS),
  /// `encode_tiles_speedup_bN` (tiles against panels), `encode_max_abs_diff` (panels
  /// against BLAS) and `encode_tiles_min_cosine` (a tiles embedding against BLAS's).
  func compare(_ texts: [String], rounds: Int = 20) -> [String: Double] {
    var result: [String: Double] = [:]
    var difference: Float = 0
    var lowestCosine: Float = 1
    for batch in [1, 4, 11, 64] {
      var seconds: [String: [Double]] = [:]
      for round in 0..<rounds {
        let start = (round * batch) % max(1, texts.count - batch)
        let slice = Array(texts[start..<min(texts.count, start + batch)])
        let shift = round % kernels.count
        var found: [String: [[Float]]] = [:]
        for (name, encoder) in kernels[shift...] + kernels[..<shift] {
          let clock = DispatchTime.now()
          found[name] = encoder.encode(slice, batchSize: slice.count, threads: 1)
          seconds[name, default: []].append(secondsSince(clock))
        }
        for (a, b) in zip(found["blas"]!.joined(), found["panels"]!.joined()) {
          difference = max(difference, abs(a - b))
        }
        for (a, b) in zip(found["blas"]!, found["tiles"] ?? []) {
          lowestCosine = min(lowestCosine, zip(a, b).map { $0 * $1 }.reduce(0, +))
        }
      }
      let ms = seconds.mapValues { percentile($0.sorted(), 0.5) * 1000 }
      for (name, value) in ms { result["encode_ms_\(name)_b\(batch)"] = value }
      result["encode_speedup_b\(batch)"] = ms["blas"]! / ms["panels"]!
      var line =
        "  \(batch) sentence(s): BLAS p50 \(format(ms["blas"]!)) ms, panels \(format(ms["panels"]!)) ms (\(format(ms["blas"]! / ms["panels"]!))×)"
      if let tiles = ms["tiles"] {
        result["encode_tiles_speedup_b\(batch)"] = ms["panels"]! / tiles
        line += ", tiles \(format(tiles)) ms (\(format(ms["panels"]! / tiles))× panels)"
      }
      benchLog(line)
    }
    result["encode_max_abs_diff"] = Double(difference)
    benchLog("  largest embedding difference, panels against BLAS: \(difference)")
    if kernels.count > 2 {
      result["encode_tiles_min_cosine"] = Double(lowestCosine)
      benchLog("  lowest cosine of a tiles embedding with BLAS's: \(lowestCosine)")
    }
    return result
  }

  private func format(_ value: Double) -> String { String(format: "%.2f", value) }
}
