import CommandSupport
import Dispatch
import CommandSupport
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

/// One JSON object line of results, keys sorted, 4 decimals (whole numbers as integers;
/// magnitudes under 0.001 in 4 significant digits, so a small difference is not shown as 0).
func jsonLine(_ values: [String: Double]) -> String {
  let fields = values.keys.sorted().map { key in
    let value = values[key]!
    let text =
      value == value.rounded() && abs(value) < 1e15
      ? String(Int(value))
      : abs(value) < 1e-3 ? String(format: "%.4g", value) : String(format: "%.4f", value)
    return "\"\(key)\": \(text)"
  }
  return "{" + fields.joined(separator: ", ") + "}\n"
}

/// Peak resident set size (VmHWM) from /proc, in MiB.
func peakResidentMegabytes() -> Double {
  guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
    let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
    let kb = Double(line.split(separator: " ").dropFirst().first ?? "")
  else { return 0 }
  return kb / 1024
}

/// A TCP socket connected to 127.0.0.1:`port` (blocking).
/// - Throws: `CLIError` when the socket cannot be made or the connection is refused.
func connectLoopback(port: Int) throws -> Int32 {
  let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
  guard fd >= 0 else { throw CLIError("socket() failed: \(errno)") }
  var address = sockaddr_in()
  address.sin_family = sa_family_t(AF_INET)
  address.sin_port = in_port_t(UInt16(port).bigEndian)
  address.sin_addr.s_addr = inet_addr("127.0.0.1")
  let connected = withUnsafePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      Foundation.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
    }
  }
  guard connected == 0 else {
    close(fd)
    throw CLIError("connect to port \(port) failed: \(errno)")
  }
  return fd
}
