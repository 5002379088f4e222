import CLatitudePlugin
import Foundation
import Latent
import Logging

/// What the host functions reach through `latitude_host.context`.
final class HostContext: Sendable {
  let encoder: SentenceEncoder?
  let logger: Logger
  init(encoder: SentenceEncoder?, logger: Logger) {
    self.encoder = encoder
    self.logger = logger
  }

  /// A plugin's log line at its `LATITUDE_LOG_*` level (unknown levels log as errors).
  func log(level: Int32, _ text: String) {
    switch level {
    case 0: logger.debug("\(text)")
    case 1: logger.info("\(text)")
    case 2: logger.warning("\(text)")
    default: logger.error("\(text)")
    }
  }
}

/// The C function table handed to every plugin. Each function is a plain C function; the
/// context pointer carries the encoder and logger. The pointer is unretained: whoever
/// hands the table to a plugin keeps `context` alive for the call (the registry does, and
/// every call's closure holds the registry).
enum HostFunctions {
  static func table(context: HostContext, dimension: Int) -> latitude_host {
    latitude_host(
      abi_version: LATITUDE_PLUGIN_ABI_VERSION, dimension: UInt32(dimension),
      context: Unmanaged.passUnretained(context).toOpaque(),
      encode: { context, texts, count, out in
        guard let context, let texts, let out, count <= HostLimits.maxTexts else { return -1 }
        let host = Unmanaged<HostContext>.fromOpaque(context).takeUnretainedValue()
        guard let encoder = host.encoder,
          (0..<Int(count)).allSatisfy({ texts[$0] != nil })
        else { return -1 }
        let strings = (0..<Int(count)).map { String(cString: texts[$0]!) }
        let vectors = encoder.encode(strings)
        for (row, vector) in vectors.enumerated() {
          (out + row * vector.count).update(from: vector, count: vector.count)
        }
        return 0
      },
      log: { context, level, message in
        guard let context, let message else { return }
        let host = Unmanaged<HostContext>.fromOpaque(context).takeUnretainedValue()
        host.log(level: level, String(cString: message))
      },
      dot: { a, b, n in
        guard let a, let b, n <= HostLimits.maxDimension else { return 0 }
        return HostMath.dot(a, b, Int(n))
      },
      normalize: { v, n in
        guard let v, n <= HostLimits.maxDimension else { return }
        HostMath.normalize(v, Int(n))
      },
      slerp: { a, b, t, out, n in
        guard let a, let b, let out, n <= HostLimits.maxDimension else { return }
        let result = LatentGeometry.slerp(
          Array(UnsafeBufferPointer(start: a, count: Int(n))),
          Array(UnsafeBufferPointer(start: b, count: Int(n))), t: t)
        out.update(from: result, count: Int(n))
      },
      move: { latent, directions, targets, k, out, n in
        guard let latent, let directions, let targets, let out, k > 0, k <= HostLimits.maxAxes,
          n > 0, n <= HostLimits.maxDimension
        else { return -1 }
        let point = Array(UnsafeBufferPointer(start: latent, count: Int(n)))
        let axes = (0..<Int(k)).map {
          Array(UnsafeBufferPointer(start: directions + $0 * Int(n), count: Int(n)))
        }
        let goals = Array(UnsafeBufferPointer(start: targets, count: Int(k)))
        let moved = LatentGeometry.move(point, onto: axes, targets: goals)
        guard moved.allSatisfy(\.isFinite) else { return -1 }
        out.update(from: moved, count: Int(n))
        return 0
      },
      principal_components: { points, count, k, out, n in
        guard let points, let out, count > 1, count <= HostLimits.maxPoints, k > 0, k <= n,
          n <= HostLimits.maxDimension
        else { return -1 }
        let rows = (0..<Int(count)).map {
          Array(UnsafeBufferPointer(start: points + $0 * Int(n), count: Int(n)))
        }
        guard let pca = PrincipalComponents(points: rows, count: Int(k)),
          pca.components.count == Int(k)
        else { return -1 }
        for (row, component) in pca.components.enumerated() {
          (out + row * Int(n)).update(from: component, count: Int(n))
        }
        return 0
      })
  }
}

/// The vector helpers of the host table, shared by the native table and the WebAssembly
/// imports so that a plugin built either way gets bit-identical results.
enum HostMath {
  static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var sum: Float = 0
    for i in 0..<n { sum += a[i] * b[i] }
    return sum
  }

  static func normalize(_ v: UnsafeMutablePointer<Float>, _ n: Int) {
    var sum: Float = 0
    for i in 0..<n { sum += v[i] * v[i] }
    let norm = sum.squareRoot()
    guard norm > 0 else { return }
    for i in 0..<n { v[i] /= norm }
  }
}

/// What the host functions accept from a plugin: sizes beyond these are refused (-1)
/// rather than turned into huge allocations or reads.
enum HostLimits {
  static let maxTexts: UInt32 = 256
  static let maxDimension: UInt32 = 4096
  static let maxAxes: UInt32 = 64
  static let maxPoints: UInt32 = 100_000
}
