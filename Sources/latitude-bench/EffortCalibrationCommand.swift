import ArgumentParser
import CommandSupport
import Dispatch
import Foundation
import Latent

/// `latitude bench calibrate-effort`: measures the fidelity above which sampling rarely
/// beats greedy text or the bank's nearest sentence, on moved points of the validation
/// split (never the test split), and what skipping it there costs.
struct EffortCalibrationCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "calibrate-effort",
    abstract: "Measure the adaptive-effort threshold (DecodeEffort.measuredEnough).",
    discussion: """
      Each validation sentence is encoded and moved by ±1 along one of the built-in axes
      (as a drag does); the point is decoded progressively with sampling always on. For
      each threshold the table gives the share of points whose greedy text or nearest bank
      sentence reaches it (sampling would be skipped there) and the mean fidelity that
      skipping loses over all points. The chosen threshold is the lowest whose mean loss
      is at most --max-loss. Needs the validation split (make corpus).
      """)

  @Option(help: "Validation sentences, one per line (never the test split).")
  var sentences = "Weights/train/data/validation.txt"
  @Option(help: "Points to measure.") var count = 300
  @Option(help: "Seed for the sample of sentences.") var seed: UInt64 = 1
  @Option(help: "Generated candidates when sampling.") var candidates = 8
  @Option(help: "Mean fidelity loss allowed over all points.") var maxLoss = 0.002
  @Option(help: "Threads.") var threads = 2
  @OptionGroup var models: DecoderOptions

  func run() throws {
    let (pipeline, encoder) = try models.loadWithEncoder()
    let drags = try ValidationDrags(
      path: sentences, count: count, seed: seed, encoder: encoder, threads: threads)
    let points = drags.points
    benchLog("\(points.count) validation sentences, \(drags.axes) axes, N=\(candidates)")
    let measured = ResultSlots<Sample?>(count: points.count)
    DispatchQueue.concurrentPerform(iterations: threads) { worker in
      for index in stride(from: worker, to: points.count, by: threads) {
        var early: Float = -2
        let result = pipeline.decodeProgressively(
          batch: [points[index]], effort: DecodeEffort(candidates: candidates, enough: nil)
        ) { _, stage in early = max(early, stage.fidelity) }
        if case .success(let final) = result[0] {
          _ = measured.set(index, Sample(early: early, final: final.fidelity))
        }
      }
    }
    let samples = measured.values.compactMap { $0 }
    guard !samples.isEmpty else { throw CLIError("no point decoded") }
    let rows = stride(from: 0.60, through: 0.99, by: 0.01).map { threshold in
      Self.row(Float(threshold), samples)
    }
    for row in rows {
      benchLog(
        String(
          format: "enough %.2f  skipped %5.1f%%  mean loss %.4f  worst %.3f", row.threshold,
          row.skipRate * 100, row.meanLoss, row.worstLoss))
    }
    let chosen = rows.first { $0.meanLoss <= maxLoss } ?? rows[rows.count - 1]
    let finalMean = samples.map { Double($0.final) }.reduce(0, +) / Double(samples.count)
    writeOut(
      jsonLine([
        "points": Double(samples.count), "candidates": Double(candidates),
        "enough": Double(chosen.threshold), "skip_rate": chosen.skipRate,
        "mean_fidelity_loss": chosen.meanLoss, "worst_fidelity_loss": chosen.worstLoss,
        "final_fidelity_mean_always_sampling": finalMean, "max_loss": maxLoss,
      ]))
  }

  /// One point: the best early stage (greedy, or the bank's scan) and the sampled final.
  struct Sample: Sendable {
    var early: Float
    var final: Float
  }

  /// What skipping sampling at `threshold` would skip and lose.
  struct Row {
    var threshold: Float
    var skipRate: Double
    var meanLoss: Double
    var worstLoss: Double
  }

  static func row(_ threshold: Float, _ samples: [Sample]) -> Row {
    let skipped = samples.filter { $0.early >= threshold }
    let losses = skipped.map { Double(max(0, $0.final - $0.early)) }
    return Row(
      threshold: threshold, skipRate: Double(skipped.count) / Double(samples.count),
      meanLoss: losses.reduce(0, +) / Double(samples.count), worstLoss: losses.max() ?? 0)
  }
}
