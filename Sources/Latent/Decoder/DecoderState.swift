/// The growing state of `rows` sequences decoded together: each layer's keys and values
/// for every position fed so far (the KV cache), plus scratch space for one step. Made
/// per generation call and never shared between threads.
final class DecoderState {
  /// Rows still being decoded (finished rows are compacted away).
  private(set) var rows: Int
  let config: DecoderConfig
  /// Positions fed so far (the prefix counts).
  private(set) var length = 0
  /// Per layer, [rows × positions × hidden].
  let keys: [UnsafeMutablePointer<Float>]
  let values: [UnsafeMutablePointer<Float>]
  /// Scratch, sized for the widest step (the prefix).
  let hidden: UnsafeMutablePointer<Float>
  let projected: UnsafeMutablePointer<Float>
  let queryKeyValue: UnsafeMutablePointer<Float>
  let context: UnsafeMutablePointer<Float>
  let wide: UnsafeMutablePointer<Float>
  let scores: UnsafeMutablePointer<Float>
  /// The latest next-token logits, [rows × vocab].
  let logits: UnsafeMutablePointer<Float>
  private let cacheStride: Int

  init(rows: Int, config c: DecoderConfig) {
    self.rows = rows
    self.config = c
    let h = c.hiddenSize
    let widest = rows * c.prefixLength
    cacheStride = c.positions * h
    func buffer(_ count: Int) -> UnsafeMutablePointer<Float> {
      let pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
      pointer.initialize(repeating: 0, count: max(count, 1))
      return pointer
    }
    keys = (0..<c.numHiddenLayers).map { _ in buffer(rows * c.positions * h) }
    values = (0..<c.numHiddenLayers).map { _ in buffer(rows * c.positions * h) }
    hidden = buffer(widest * h)
    projected = buffer(widest * h)
    queryKeyValue = buffer(widest * 3 * h)
    context = buffer(widest * h)
    wide = buffer(widest * c.intermediateSize)
    scores = buffer(c.prefixLength * c.positions)
    logits = buffer(rows * c.vocabSize)
  }

  deinit {
    for pointer in keys + values + [
      hidden, projected, queryKeyValue, context, wide, scores, logits,
    ] {
      pointer.deallocate()
    }
  }

  /// Whether another token fits in the position table.
  var hasRoom: Bool { length < config.positions }

  /// The start of `row`'s cached keys (or values) for a layer.
  func cacheRow(_ base: UnsafeMutablePointer<Float>, _ row: Int) -> UnsafeMutablePointer<Float> {
    base + row * cacheStride
  }

  /// Records that `count` more positions were fed.
  func advance(by count: Int) { length += count }

  /// Keeps only the rows in `kept` (ascending), moved to the front, so finished rows cost
  /// nothing in later steps.
  func compact(keeping kept: [Int]) {
    guard kept.count < rows else { return }
    let used = length * config.hiddenSize
    for base in keys + values {
      for (slot, row) in kept.enumerated() where slot != row {
        cacheRow(base, slot).update(from: cacheRow(base, row), count: used)
      }
    }
    rows = kept.count
  }

  /// Beam search: row r continues from row `parents[r]`'s cache.
  func reorder(_ parents: [Int]) {
    precondition(parents.count == rows)
    guard parents != Array(0..<rows) else { return }
    let used = length * config.hiddenSize
    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: rows * used)
    defer { scratch.deallocate() }
    for base in keys + values {
      for (row, parent) in parents.enumerated() {
        (scratch + row * used).update(from: cacheRow(base, parent), count: used)
      }
      for row in 0..<rows { cacheRow(base, row).update(from: scratch + row * used, count: used) }
    }
  }
}
