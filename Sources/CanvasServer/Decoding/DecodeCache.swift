import Foundation
import Latent
import Synchronization

/// A least-recently-used cache of decode results, keyed by the target's fp16 bytes, the
/// effort and the intents, so dragging back to a point (or replaying a move) skips the
/// decoder.
final class DecodeCache: Sendable {
  private struct Entry {
    var result: DecodeResult
    var used: UInt64
  }

  private struct Storage {
    var entries: [Data: Entry] = [:]
    var tick: UInt64 = 0
  }

  private let capacity: Int
  private let storage = Mutex(Storage())

  init(capacity: Int) { self.capacity = max(0, capacity) }

  static func key(_ latent: [Float], effort: DecodeEffort, intents: [DecodeIntent] = []) -> Data {
    var data = Data(HalfPrecisionCodec.encode(LatentVector(latent)))
    withUnsafeBytes(of: Int32(effort.candidates)) { data.append(contentsOf: $0) }
    withUnsafeBytes(of: Int32(effort.bankCandidates)) { data.append(contentsOf: $0) }
    withUnsafeBytes(of: effort.enough ?? -1) { data.append(contentsOf: $0) }
    withUnsafeBytes(of: Int32(effort.intentCandidates)) { data.append(contentsOf: $0) }
    let correction = effort.correction
    withUnsafeBytes(of: Int32(correction.steps)) { data.append(contentsOf: $0) }
    if correction.steps > 0 {
      withUnsafeBytes(of: correction.strength) { data.append(contentsOf: $0) }
      withUnsafeBytes(of: Int32(correction.candidates)) { data.append(contentsOf: $0) }
      withUnsafeBytes(of: correction.until) { data.append(contentsOf: $0) }
    }
    for intent in intents {
      data.append(contentsOf: HalfPrecisionCodec.encode(LatentVector(intent.direction)))
      for value in [intent.offset, intent.atLeast, intent.favour] {
        withUnsafeBytes(of: value) { data.append(contentsOf: $0) }
      }
    }
    return data
  }

  func value(for key: Data) -> DecodeResult? {
    storage.withLock { storage in
      guard var entry = storage.entries[key] else { return nil }
      storage.tick += 1
      entry.used = storage.tick
      storage.entries[key] = entry
      return entry.result
    }
  }

  func insert(_ result: DecodeResult, for key: Data) {
    guard capacity > 0 else { return }
    storage.withLock { storage in
      storage.tick += 1
      storage.entries[key] = Entry(result: result, used: storage.tick)
      if storage.entries.count > capacity,
        let oldest = storage.entries.min(by: { $0.value.used < $1.value.used })
      {
        storage.entries[oldest.key] = nil
      }
    }
  }
}
