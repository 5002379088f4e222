import ArgumentParser
import CommandSupport
import Dispatch
import Foundation
import Latent
import Logging
import PluginHost

/// `latitude-bench eval-steer` (`make eval-steer`): do axis moves do what the user asked?
/// Held-out test sentences are moved to each target on every built-in axis, as a drag does,
/// and decoded; the decoded text is encoded again and read on the same axis. The last
/// stdout line is one JSON object: the overall figures and `per_axis`.
struct SteerEvaluationCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval-steer",
    abstract: "Measure how well decoded axis moves follow the axis (held-out sentences).",
    discussion: """
      For every built-in axis (AxisPacks/) and --count seeded test-split sentences, each
      sentence's embedding is moved to each of --targets on the axis (the least-squares move
      the server makes for node.move) and decoded two ways in the same run: the decoder
      (--candidates generated texts and the bank, re-ranked, as the server decodes a drag)
      and the bank alone (its nearest train sentence). A pair whose sentence already sits
      within 0.1 of the target is skipped.
        direction_success: the share whose decoded text's own coordinate moved from the
          original's towards the target;
        achieved_ratio: the median of (decoded − original) ÷ (target − original);
        content_cosine: the mean cosine of the decoded text's embedding with the original
          sentence's (how much of the sentence survives the move);
        fidelity: the mean cosine of the decoded text's embedding with the moved point.
      The decoder ranks as the server ranks a drag: a text that moved at least
      --intent-share of the intended change is favoured by --intent-margin (DecodeIntent).
      Keys without a prefix are the decoder's; bank_* are the bank's. Progress on stderr.
      """)

  @Option(help: "Held-out sentences, one per line.") var sentences = "Weights/train/data/test.txt"
  @Option(help: "Sentences per axis.") var count = 200
  @Option(help: "Target coordinates, comma-separated.") var targets = "-1.5,1.5"
  @Option(help: "Seed of the sample of sentences.") var seed: UInt64 = 11
  @Option(help: "Generated candidates per decode.") var candidates = 8
  @Option(help: "Threads.") var threads = 2
  @Option(
    help:
      "How much ranking favours a text that moved at least --intent-share of the intended change (cosine units; 0: plain ranking). The server's default."
  )
  var intentMargin = DecodeIntent.margin
  @Option(help: "Share of the intended change a text must show to be favoured.")
  var intentShare = DecodeIntent.axisShare
  @Option(help: "Candidates of the intent round (when no text followed the move; 0: none).")
  var intentCandidates = LatentDecoder.intentCandidates
  @OptionGroup var models: DecoderOptions

  /// One moved sentence, decoded both ways.
  struct Outcome: Sendable {
    var axis: Int
    var intended: Float
    var decoder: Reading
    var bank: Reading
  }

  /// A decoded text read back: its coordinate change on the axis, its cosine with the
  /// original sentence and with the moved point (the decode's fidelity).
  struct Reading: Sendable {
    var change: Float
    var content: Float
    var fidelity: Float
  }

  func run() throws {
    let goals = targets.split(separator: ",").compactMap {
      Float($0.trimmingCharacters(in: .whitespaces))
    }
    guard !goals.isEmpty, goals.allSatisfy(\.isFinite) else {
      throw CLIError("--targets are comma-separated numbers, e.g. -1.5,1.5")
    }
    guard count > 0, threads > 0, candidates > 0 else {
      throw CLIError("--count, --threads and --candidates must be positive")
    }
    let (pipeline, encoder) = try models.loadWithEncoder()
    guard let bank = pipeline.bank else {
      throw CLIError("eval-steer compares against the bank: drop --no-bank")
    }
    let axes = AxisRegistry(
      directories: [AxisRegistry.defaultDirectory], builder: AxisBuilder(encoder: encoder),
      logger: Logger(label: "latitude.bench")
    ).axes
    guard !axes.isEmpty else { throw CLIError("no built-in axes in AxisPacks/") }
    var lines = try readInputLines(sentences).filter { !$0.isEmpty }
    guard !lines.isEmpty else { throw CLIError("no sentences in \(sentences) (make corpus)") }
    var random = SplitMix64(seed: seed)
    lines.shuffle(using: &random)
    let texts = Array(lines.prefix(count))
    benchLog(
      "\(texts.count) held-out sentences × \(axes.count) axes × targets \(goals), N=\(candidates)")
    let originals = encoder.encode(texts, threads: threads)
    // Every (axis, sentence, target) whose sentence is not already at the target.
    var planned: [(axis: Int, row: Int, goal: Float, start: Float)] = []
    for (a, axis) in axes.enumerated() {
      for (row, latent) in originals.enumerated() {
        let start = axis.calibration.coordinate(
          ofProjection: VectorMath.dot(latent, axis.direction))
        for goal in goals where abs(goal - start) >= 0.1 { planned.append((a, row, goal, start)) }
      }
    }
    let jobs = planned
    let results = ResultSlots<Outcome?>(count: jobs.count)
    let began = Date()
    let candidates = self.candidates
    let intentCandidates = self.intentCandidates
    DispatchQueue.concurrentPerform(iterations: threads) { worker in
      for index in stride(from: worker, to: jobs.count, by: threads) {
        let job = jobs[index]
        let axis = axes[job.axis]
        let moved = LatentGeometry.move(
          originals[job.row], onto: [axis.direction],
          targets: [axis.calibration.projection(ofCoordinate: job.goal)])
        let intent = DecodeIntent.axisMove(
          direction: axis.direction, from: VectorMath.dot(originals[job.row], axis.direction),
          to: VectorMath.dot(moved, axis.direction), share: intentShare, favour: intentMargin)
        let intents = intentMargin > 0 ? [intent].compactMap { $0 } : []
        guard
          let decoded = try? pipeline.decode(
            moved, candidates: candidates, intents: intents, intentCandidates: intentCandidates),
          let nearest = bank.nearest(to: moved, k: 1).first
        else {
          results.set(index, nil)
          continue
        }
        let embedded = encoder.encode([decoded.text, bank.texts[nearest.row]], threads: 1)
        func read(_ vector: [Float]) -> Reading {
          let now = axis.calibration.coordinate(
            ofProjection: VectorMath.dot(vector, axis.direction))
          return Reading(
            change: now - job.start, content: VectorMath.cosine(vector, originals[job.row]),
            fidelity: VectorMath.cosine(vector, moved))
        }
        let finished = results.set(
          index,
          Outcome(
            axis: job.axis, intended: job.goal - job.start, decoder: read(embedded[0]),
            bank: read(embedded[1])))
        if finished % 100 == 0 {
          benchLog(
            String(
              format: "%d / %d moves decoded (%.0f s)", finished, jobs.count,
              Date().timeIntervalSince(began)))
        }
      }
    }
    let outcomes = results.values.compactMap { $0 }
    guard !outcomes.isEmpty else { throw CLIError("no move was decoded") }
    var overall = Self.figures(outcomes, prefix: "", \.decoder).merging(
      Self.figures(outcomes, prefix: "bank_", \.bank)
    ) { a, _ in a }
    overall["moves"] = Double(outcomes.count)
    overall["skipped_at_target"] = Double(axes.count * texts.count * goals.count - jobs.count)
    overall["sentences"] = Double(texts.count)
    overall["candidates"] = Double(candidates)
    var perAxis: [String: [String: Double]] = [:]
    for (a, axis) in axes.enumerated() {
      let mine = outcomes.filter { $0.axis == a }
      guard !mine.isEmpty else { continue }
      perAxis[axis.id] = Self.figures(mine, prefix: "", \.decoder).merging(
        Self.figures(mine, prefix: "bank_", \.bank)
      ) { a, _ in a }
      benchLog(
        String(
          format:
            "%-14@ decoder: direction %.3f  achieved %.3f  content %.3f | bank: %.3f %.3f %.3f",
          axis.id, perAxis[axis.id]!["direction_success"]!, perAxis[axis.id]!["achieved_ratio"]!,
          perAxis[axis.id]!["content_cosine"]!, perAxis[axis.id]!["bank_direction_success"]!,
          perAxis[axis.id]!["bank_achieved_ratio"]!, perAxis[axis.id]!["bank_content_cosine"]!))
    }
    writeOut(Self.json(overall, perAxis: perAxis, model: pipeline.decoder.name))
  }

  /// direction_success, achieved_ratio (median), content_cosine and fidelity (means) of one
  /// decoder.
  static func figures(_ outcomes: [Outcome], prefix: String, _ reading: KeyPath<Outcome, Reading>)
    -> [String: Double]
  {
    let towards = outcomes.filter { $0[keyPath: reading].change * $0.intended > 0 }.count
    let ratios = outcomes.map { Double($0[keyPath: reading].change / $0.intended) }.sorted()
    let middle = ratios.count / 2
    let median = ratios.count % 2 == 1 ? ratios[middle] : (ratios[middle - 1] + ratios[middle]) / 2
    let content = outcomes.map { Double($0[keyPath: reading].content) }.reduce(0, +)
    let fidelity = outcomes.map { Double($0[keyPath: reading].fidelity) }.reduce(0, +)
    return [
      prefix + "direction_success": Double(towards) / Double(outcomes.count),
      prefix + "achieved_ratio": median,
      prefix + "content_cosine": content / Double(outcomes.count),
      prefix + "fidelity": fidelity / Double(outcomes.count),
    ]
  }

  /// The last line: the overall figures, the decoder's name and `per_axis`, keys sorted.
  static func json(_ overall: [String: Double], perAxis: [String: [String: Double]], model: String)
    -> String
  {
    let line = jsonLine(overall)
    let axes = perAxis.keys.sorted().map { key in
      "\"\(key)\": \(jsonLine(perAxis[key]!).trimmingCharacters(in: .newlines))"
    }
    let body = line.trimmingCharacters(in: .newlines).dropLast()
    return "\(body), \"decoder\": \"\(model)\", \"per_axis\": {\(axes.joined(separator: ", "))}}\n"
  }
}
