import Foundation
import Latent

/// A least-recently-used cache of decode results, keyed by the target's fp16 bytes and the
/// candidate count, so dragging back to a point (or replaying a move) skips the decoder.
final class DecodeCache: @unchecked Sendable {
  private struct Entry {
    var result: DecodeResult
    var used: UInt64
  }

  private let lock = NSLock()
  private let capacity: Int
  private var entries: [Data: Entry] = [:]
  private var tick: UInt64 = 0

  init(capacity: Int) { self.capacity = max(0, capacity) }

  static func key(_ latent: [Float], candidates: Int) -> Data {
    var data = Data(HalfPrecisionCodec.encode(LatentVector(latent)))
    withUnsafeBytes(of: Int32(candidates)) { data.append(contentsOf: $0) }
    return data
  }

  func value(for key: Data) -> DecodeResult? {
    lock.lock()
    defer { lock.unlock() }
    guard var entry = entries[key] else { return nil }
    tick += 1
    entry.used = tick
    entries[key] = entry
    return entry.result
  }

  func insert(_ result: DecodeResult, for key: Data) {
    guard capacity > 0 else { return }
    lock.lock()
    defer { lock.unlock() }
    tick += 1
    entries[key] = Entry(result: result, used: tick)
    if entries.count > capacity, let oldest = entries.min(by: { $0.value.used < $1.value.used }) {
      entries[oldest.key] = nil
    }
  }
}
