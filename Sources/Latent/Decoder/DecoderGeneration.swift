import Foundation
import Synchronization

/// Greedy, seeded top-p and beam-search generation on the KV cache. Every strategy applies
/// the same constraints as python/latitude_tools/train/generation.py: [PAD], [UNK] and [CLS] are never
/// generated, and no token is generated a third time in a row.
extension TextDecoder {
  /// Greedy decoding of many targets as one batch. Each result is the generated decoder
  /// ids without the final [SEP]. Targets must be unit vectors of `config.hiddenSize`.
  public func greedy(_ targets: [[Float]]) -> [[Int32]] {
    guard !targets.isEmpty else { return [] }
    return generate(targets) { _, logits, _ in Self.argmax(logits, count: config.vocabSize) }
  }

  /// `count` candidates for one target, decoded as one batch: row 0 is greedy, the others
  /// are top-p samples (nucleus `topP`), each seeded from `seed` and its row, so the same
  /// call always returns the same candidates.
  public func candidates(
    for target: [Float], count: Int, topP: Float = 0.9, seed: UInt64 = 0
  ) -> [[Int32]] {
    candidates(for: [target], count: count, topP: topP, seeds: [seed])[0]
  }

  /// `count` candidates for each of several targets, all rows in one batch (they share
  /// every weight multiply). Each target's candidates are the ones `candidates(for:count:)`
  /// gives it alone, up to float rounding in the batched multiplies.
  /// `shouldStop` is checked before each step; when it returns true generation ends early
  /// (the caller no longer wants the result).
  public func candidates(
    for targets: [[Float]], count: Int, topP: Float = 0.9, seeds: [UInt64],
    shouldStop: () -> Bool = { false }
  ) -> [[[Int32]]] {
    candidates(
      for: targets, count: count, topP: topP, seeds: seeds, shouldStop: shouldStop,
      greedyDone: { _, _ in false })
  }

  /// `count` candidates for each target in one batch, as `candidates(for:count:)`, but
  /// `greedyDone(target, tokens)` is called as soon as a target's greedy row completes;
  /// when it returns true that target's sampled rows stop and come back empty (its greedy
  /// text is good enough). Unstopped targets get exactly `candidates(for:count:)`'s rows.
  public func candidates(
    for targets: [[Float]], count: Int, topP: Float = 0.9, seeds: [UInt64],
    shouldStop: () -> Bool = { false }, greedyDone: (Int, [Int32]) -> Bool
  ) -> [[[Int32]]] {
    precondition(seeds.count == targets.count, "one seed per target")
    guard !targets.isEmpty else { return [] }
    let per = max(1, count)
    var generators = targets.indices.flatMap { target in
      (0..<per).map { SplitMix64(seed: seeds[target] &+ UInt64($0) &* 0x2545_F491_4F6C_DD1D) }
    }
    let vocab = config.vocabSize
    let batch = targets.flatMap { Array(repeating: $0, count: per) }
    let generated = generate(
      batch, shouldStop: shouldStop,
      finished: { row, tokens in
        guard row % per == 0, greedyDone(row / per, tokens) else { return [] }
        return Array(row + 1..<row + per)
      }
    ) { row, logits, _ in
      row % per == 0
        ? Self.argmax(logits, count: vocab)
        : Self.sampleTopP(logits, count: vocab, topP: topP, using: &generators[row])
    }
    return targets.indices.map { Array(generated[$0 * per..<($0 + 1) * per]) }
  }

  /// Beam search of `width` beams; finished beams are ranked by log-probability divided by
  /// length^`lengthPenalty`. Returns the best beam's ids without [SEP].
  public func beamSearch(_ target: [Float], width: Int = 4, lengthPenalty: Float = 1) -> [Int32] {
    let width = max(1, width)
    let vocab = config.vocabSize
    let state = DecoderState(rows: width, config: config)
    feedPrefix(Array(repeating: target, count: width), into: state)
    var beams: [(tokens: [Int32], score: Float)] =
      [([], 0)] + Array(repeating: ([], -.infinity), count: width - 1)
    var finished: [(tokens: [Int32], score: Float)] = []
    func normalized(_ score: Float, _ length: Int) -> Float {
      score / powf(Float(max(length, 1)), lengthPenalty)
    }
    for _ in 0..<config.maxLength {
      var options: [(score: Float, beam: Int, token: Int32)] = []
      for (b, beam) in beams.enumerated() where beam.score > -.infinity {
        let row = state.logits + b * vocab
        constrain(row, history: beam.tokens)
        for (token, logProbability) in Self.topLogProbabilities(row, count: vocab, k: width) {
          options.append((beam.score + logProbability, b, token))
        }
      }
      options.sort { $0.score > $1.score }
      var next: [(tokens: [Int32], score: Float)] = []
      var parents: [Int] = []
      for option in options where next.count < width {
        let history = beams[option.beam].tokens
        if option.token == separatorID || history.count + 1 >= config.maxLength {
          let tokens = option.token == separatorID ? history : history + [option.token]
          finished.append((tokens, normalized(option.score, tokens.count + 1)))
        } else {
          next.append((history + [option.token], option.score))
          parents.append(option.beam)
        }
      }
      if finished.count >= width || next.isEmpty || !state.hasRoom { break }
      while next.count < width {
        next.append(([], -.infinity))
        parents.append(parents[0])
      }
      state.reorder(parents)
      feed(next.map { $0.tokens.last ?? separatorID }, into: state)
      beams = next
    }
    if finished.isEmpty {
      finished = beams.filter { $0.score > -.infinity }.map {
        ($0.tokens, normalized($0.score, $0.tokens.count))
      }
    }
    return finished.max { $0.score < $1.score }?.tokens ?? []
  }

  /// Runs the shared loop: feed the prefixes, then repeatedly constrain each unfinished
  /// row's logits, let `choose(row, logits, history)` pick its next token and feed it,
  /// until every row has produced [SEP] or reached `maxLength`.
  ///
  /// `finished(row, tokens)` is called once per row as it completes (at its
  /// [SEP], at `maxLength`, or when generation ends early) and returns rows to drop: they
  /// stop being generated and come back empty.
  func generate(
    _ targets: [[Float]], shouldStop: () -> Bool = { false },
    finished: (Int, [Int32]) -> [Int] = { _, _ in [] },
    choose: (Int, UnsafeMutablePointer<Float>, [Int32]) -> Int32
  ) -> [[Int32]] {
    let rows = targets.count
    let vocab = config.vocabSize
    generations.add(1, ordering: .relaxed)
    defer { generations.subtract(1, ordering: .relaxed) }
    let state = DecoderState(rows: rows, config: config)
    feedPrefix(targets, into: state)
    var outputs = Array(repeating: [Int32](), count: rows)
    var dropped = Set<Int>()
    var reported = Set<Int>()
    func complete(_ row: Int) {
      guard !dropped.contains(row), reported.insert(row).inserted else { return }
      for other in finished(row, outputs[row]) where other != row { dropped.insert(other) }
    }
    // active[slot] is the output row that state row `slot` decodes.
    var active = Array(0..<rows)
    for step in 0..<config.maxLength {
      if shouldStop() { break }
      var next: [Int32] = []
      var kept: [Int] = []
      for (slot, row) in active.enumerated() where !dropped.contains(row) {
        let logits = state.logits + slot * vocab
        constrain(logits, history: outputs[row])
        let token = choose(row, logits, outputs[row])
        if token != separatorID {
          outputs[row].append(token)
          if step + 1 < config.maxLength {
            next.append(token)
            kept.append(slot)
            continue
          }
        }
        complete(row)
      }
      if !dropped.isEmpty {
        let live = kept.indices.filter { !dropped.contains(active[kept[$0]]) }
        next = live.map { next[$0] }
        kept = live.map { kept[$0] }
      }
      if kept.isEmpty || !state.hasRoom {
        for slot in kept { complete(active[slot]) }
        break
      }
      state.compact(keeping: kept)
      active = kept.map { active[$0] }
      feed(next, into: state)
    }
    if !shouldStop() { for row in 0..<rows { complete(row) } }
    for row in dropped { outputs[row] = [] }
    return outputs
  }

  /// Bans [PAD]/[UNK]/[CLS] and a third repeat of the last token, and, with known words,
  /// every piece that would spell a word outside them.
  func constrain(_ logits: UnsafeMutablePointer<Float>, history: [Int32]) {
    for id in bannedIDs { logits[Int(id)] = -1e9 }
    if history.count >= 2, history[history.count - 1] == history[history.count - 2] {
      logits[Int(history[history.count - 1])] = -1e9
    }
    knownWords?.apply(logits, count: config.vocabSize, history: history, end: separatorID)
  }

  static func argmax(_ logits: UnsafeMutablePointer<Float>, count: Int) -> Int32 {
    var best = 0
    for i in 1..<count where logits[i] > logits[best] { best = i }
    return Int32(best)
  }

  /// Samples from the smallest set of tokens whose probability reaches `topP`. Exact
  /// without sorting the whole vocabulary: tokens above a threshold are sorted, and the
  /// threshold is lowered until they hold at least `topP` of the mass (every token left
  /// out is then less likely than every token kept).
  static func sampleTopP(
    _ logits: UnsafeMutablePointer<Float>, count: Int, topP: Float,
    using generator: inout SplitMix64
  ) -> Int32 {
    Activations.softmaxRows(logits, rows: 1, width: count, valid: count)
    var threshold: Float = 1e-3
    var kept: [(id: Int32, p: Float)] = []
    var mass: Float = 0
    while true {
      kept.removeAll(keepingCapacity: true)
      mass = 0
      for i in 0..<count where logits[i] >= threshold {
        kept.append((Int32(i), logits[i]))
        mass += logits[i]
      }
      if mass >= topP || threshold < 1e-9 { break }
      threshold /= 10
    }
    kept.sort { $0.p > $1.p }
    var nucleus = 0
    var cumulative: Float = 0
    while nucleus < kept.count, cumulative < topP {
      cumulative += kept[nucleus].p
      nucleus += 1
    }
    var draw = Float(generator.nextUnit()) * cumulative
    for index in 0..<nucleus {
      draw -= kept[index].p
      if draw < 0 { return kept[index].id }
    }
    return kept[max(0, nucleus - 1)].id
  }

  /// The `k` most likely tokens with their log-probabilities.
  static func topLogProbabilities(
    _ logits: UnsafeMutablePointer<Float>, count: Int, k: Int
  ) -> [(Int32, Float)] {
    var peak = -Float.infinity
    for i in 0..<count where logits[i] > peak { peak = logits[i] }
    var sum: Float = 0
    for i in 0..<count { sum += expf(logits[i] - peak) }
    let logSum = peak + logf(sum)
    var top: [(Int32, Float)] = []
    for i in 0..<count where top.count < k || logits[i] > top[top.count - 1].1 {
      top.append((Int32(i), logits[i]))
      top.sort { $0.1 > $1.1 }
      if top.count > k { top.removeLast() }
    }
    return top.map { ($0.0, $0.1 - logSum) }
  }
}
