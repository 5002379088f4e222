import CommandSupport
import Dispatch
import Foundation

/// Seconds elapsed since `start`.
func secondsSince(_ start: DispatchTime) -> Double {
  Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}

/// The p-quantile (0...1) of an ascending array.
func percentile(_ sorted: [Double], _ p: Double) -> Double {
  sorted[max(0, min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1))]
}

/// Progress and human-readable results go to stderr; the last stdout line is the JSON.
func benchLog(_ message: String) {
  FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Peak resident set size (VmHWM) from /proc, in MiB.
func peakResidentMegabytes() -> Double {
  guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
    let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
    let kb = Double(line.split(separator: " ").dropFirst().first ?? "")
  else { return 0 }
  return kb / 1024
}
