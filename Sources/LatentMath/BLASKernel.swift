import COpenBLAS
import Foundation

/// Which OpenBLAS kernels run, and a better choice when the library falls back to a generic
/// one. Debian's OpenBLAS 0.3.21 does not know some newer CPUs (seen here: an AVX-512 Xeon
/// in a VM detected as "Prescott", an SSE3 kernel four times slower than SkylakeX).
/// OpenBLAS reads `OPENBLAS_CORETYPE` only when it loads, so the CLI re-executes itself
/// with it set (see `BLASKernel.reexecutingIfNeeded`).
public enum BLASKernel {
  /// The kernel family OpenBLAS chose, e.g. "Haswell", "SkylakeX" or "Prescott".
  public static var coreName: String {
    guard let name = openblas_get_corename() else { return "unknown" }
    return String(cString: name)
  }

  /// Cores OpenBLAS falls back to when it does not recognise the CPU.
  static let genericCores: Set<String> = [
    "Prescott", "Core2", "Katmai", "Coppermine", "Northwood", "Banias", "Penryn", "Dunnington",
    "unknown",
  ]

  /// The kernel family to force, or nil when OpenBLAS's own choice is fine.
  public static func recommendedCoreType(
    coreName: String = BLASKernel.coreName, cpuFlags: Set<String> = BLASKernel.cpuFlags()
  ) -> String? {
    guard genericCores.contains(coreName) else { return nil }
    if cpuFlags.isSuperset(of: ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"]) {
      return "SkylakeX"
    }
    if cpuFlags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
    return nil
  }

  /// The CPU's feature flags from /proc/cpuinfo (empty where unavailable).
  public static func cpuFlags() -> Set<String> {
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
      let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
    else { return [] }
    return Set(line.split(separator: ":").last?.split(separator: " ").map(String.init) ?? [])
  }

  /// Re-executes the current process with `OPENBLAS_CORETYPE` set when OpenBLAS fell back
  /// to a generic kernel and the CPU supports a better one. Does nothing when the variable
  /// is already set, when `LATITUDE_BLAS_AUTOTUNE=0`, or when there is nothing better.
  /// Call first thing in `main`; returns only if no re-exec happened.
  public static func reexecutingIfNeeded() {
    let environment = ProcessInfo.processInfo.environment
    guard environment["OPENBLAS_CORETYPE"] == nil, environment["LATITUDE_BLAS_AUTOTUNE"] != "0",
      let core = recommendedCoreType()
    else { return }
    setenv("OPENBLAS_CORETYPE", core, 1)
    setenv("LATITUDE_BLAS_AUTOTUNE", "0", 1)
    let arguments = CommandLine.arguments.map { strdup($0) } + [nil]
    execv("/proc/self/exe", arguments)
    // execv only returns on failure; carry on with the slower kernels.
  }
}
