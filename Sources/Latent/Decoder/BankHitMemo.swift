import Synchronization

/// The bank's nearest sentences of recently scanned points, so a committed move's decode
/// reuses the scan its first stage made a few milliseconds earlier (the same validated
/// target) instead of scanning the 48k-row bank again. Bounded; oldest first out.
final class BankHitMemo: Sendable {
  typealias Hits = [(row: Int, cosine: Float)]

  private struct Entry {
    var target: [Float]
    var k: Int
    var hits: Hits
  }

  private let capacity: Int
  private let entries = Mutex<[Entry]>([])
  private let scanned = Atomic<Int>(0)

  init(capacity: Int = 64) { self.capacity = max(1, capacity) }

  /// Points scanned so far (a point found in the memo is not counted).
  var scans: Int { scanned.load(ordering: .relaxed) }

  /// Forgets every remembered scan.
  func removeAll() { entries.withLock { $0.removeAll() } }

  /// The `k` nearest bank rows of each target: remembered ones from the memo (a scan for at
  /// least `k` rows of exactly that vector), the others by one scan for all of them.
  func nearest(_ targets: [[Float]], k: Int, in bank: SentenceBank) -> [Hits] {
    guard k > 0 else { return targets.map { _ in [] } }
    var found: [Hits?] = entries.withLock { entries in
      targets.map { target in
        entries.last { $0.k >= k && $0.target == target }.map { Array($0.hits.prefix(k)) }
      }
    }
    let missing = targets.indices.filter {
      found[$0] == nil && targets[$0].count == bank.header.dimension
    }
    if !missing.isEmpty {
      let scanned = bank.nearest(toEach: missing.map { targets[$0] }, k: k)
      self.scanned.add(missing.count, ordering: .relaxed)
      entries.withLock { entries in
        for (index, hits) in zip(missing, scanned) {
          found[index] = hits
          entries.append(Entry(target: targets[index], k: k, hits: hits))
        }
        if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
      }
    }
    return found.map { $0 ?? [] }
  }
}
