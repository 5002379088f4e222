import Dispatch
import Latent

/// The sentence bank's half of `latitude bench kernels`: the nearest bank sentence of N
/// held-out points, found by one scan per point (as each queued job's first stage was) and
/// by one scan for all of them (`SentenceBank.nearest(toEach:k:)`, as queued first stages
/// and a decode batch's bank candidates are now), alternating which goes first.
struct BankScanComparison {
  let bank: SentenceBank

  /// `bank_scan_ms_{each,together}_bN`, `bank_scan_speedup_bN` (each ÷ together) and
  /// `bank_scan_rows_agree` (the share of points given the same rows both ways).
  func compare(_ targets: [[Float]], rounds: Int = 10) -> [String: Double] {
    var result: [String: Double] = [:]
    var agree = 0
    var compared = 0
    for batch in [1, 4, 10] where targets.count >= batch {
      var seconds: [String: [Double]] = [:]
      for round in 0..<rounds {
        let start = (round * batch) % max(1, targets.count - batch + 1)
        let slice = Array(targets[start..<(start + batch)])
        var each: [[Int]] = []
        var together: [[Int]] = []
        let order = round % 2 == 0 ? ["each", "together"] : ["together", "each"]
        for name in order {
          let clock = DispatchTime.now()
          if name == "each" {
            each = slice.map { bank.nearest(to: $0, k: 3).map(\.row) }
          } else {
            together = bank.nearest(toEach: slice, k: 3).map { $0.map(\.row) }
          }
          seconds[name, default: []].append(secondsSince(clock))
        }
        agree += zip(each, together).filter { $0 == $1 }.count
        compared += slice.count
      }
      let e = percentile(seconds["each"]!.sorted(), 0.5) * 1000
      let t = percentile(seconds["together"]!.sorted(), 0.5) * 1000
      result["bank_scan_ms_each_b\(batch)"] = e
      result["bank_scan_ms_together_b\(batch)"] = t
      result["bank_scan_speedup_b\(batch)"] = e / t
      benchLog(
        "  \(batch) point(s): one scan each p50 \(String(format: "%.2f", e)) ms, one scan for all \(String(format: "%.2f", t)) ms (\(String(format: "%.2f", e / t))×)"
      )
    }
    result["bank_scan_rows_agree"] = compared == 0 ? 0 : Double(agree) / Double(compared)
    return result
  }
}
