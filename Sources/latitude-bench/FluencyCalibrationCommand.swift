import ArgumentParser
import CommandSupport
import Dispatch
import Foundation
import Latent

/// `latitude bench calibrate-fluency`: what weighing fluency in decode ranking costs in
/// fidelity and buys in fluency, per weight, on moved points of the validation split.
struct FluencyCalibrationCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "calibrate-fluency",
    abstract: "Measure the fluency weight of decode ranking (FluencyRanking.measuredWeight).",
    discussion: """
      Validation sentences are moved by ±1 along the built-in axes (as drags move them) and
      decoded at N=8 with each weight (rank = cosine + weight × fluency). Per weight: the
      mean fidelity lost against cosine-only ranking, the mean fluency score of the chosen
      texts and the share of points whose text changed. The chosen weight is the largest
      whose mean fidelity loss is at most --max-loss. Needs the validation split.
      """)

  @Option(help: "Validation sentences, one per line (never the test split).")
  var sentences = "Weights/train/data/validation.txt"
  @Option(help: "Points to measure.") var count = 200
  @Option(help: "Seed for the sample of sentences.") var seed: UInt64 = 1
  @Option(help: "Comma-separated weights to try (0 is always measured).")
  var weights = "0.01,0.02,0.04,0.06,0.08"
  @Option(help: "Mean fidelity loss allowed over all points.") var maxLoss = 0.002
  @Option(help: "Threads.") var threads = 2
  @OptionGroup var models: DecoderOptions

  func run() throws {
    let grid =
      try [Float(0)]
      + weights.split(separator: ",").map { item in
        guard let weight = Float(item), (0...1).contains(weight) else {
          throw CLIError("--weights takes numbers in 0–1, not '\(item)'")
        }
        return weight
      }.filter { $0 > 0 }.sorted()
    let (base, encoder) = try models.loadWithEncoder()
    guard let model = base.fluency?.model else {
      throw CLIError("calibrate-fluency needs the fluency model (not --fluency off)")
    }
    let drags = try ValidationDrags(
      path: sentences, count: count, seed: seed, encoder: encoder, threads: threads)
    benchLog("\(drags.points.count) validation points, \(drags.axes) axes, weights \(grid)")
    var rows: [Row] = []
    var cosineOnly: [DecodeResult] = []
    for weight in grid {
      let pipeline = try LatentDecoder(
        encoder: base.encoder, decoder: base.decoder, bank: base.bank,
        correction: base.correction, fluency: FluencyRanking(model: model, weight: weight))
      let results = decodeAll(drags.points, with: pipeline)
      if weight == 0 { cosineOnly = results }
      let row = Row(weight: weight, results: results, cosineOnly: cosineOnly, model: model)
      benchLog(
        String(
          format: "weight %.4f  fidelity %.4f (loss %.4f)  fluency %.3f  changed %5.1f%%",
          weight, row.fidelity, row.loss, row.fluency, row.changed * 100))
      rows.append(row)
    }
    let chosen = rows.last { $0.loss <= maxLoss } ?? rows[0]
    var values: [String: Double] = [
      "points": Double(drags.points.count), "weight": Double(chosen.weight),
      "fidelity_loss": chosen.loss, "fluency": chosen.fluency, "changed": chosen.changed,
      "fluency_cosine_only": rows[0].fluency, "fidelity_cosine_only": rows[0].fidelity,
      "max_loss": maxLoss,
    ]
    for row in rows.dropFirst() {
      let name = String(format: "%g", row.weight)
      values["loss_at_\(name)"] = row.loss
      values["fluency_at_\(name)"] = row.fluency
    }
    writeOut(jsonLine(values))
  }

  /// Every point decoded at N=8 (with the pipeline's correction), on `threads` threads.
  func decodeAll(_ points: [[Float]], with pipeline: LatentDecoder) -> [DecodeResult] {
    let slots = ResultSlots<DecodeResult?>(count: points.count)
    DispatchQueue.concurrentPerform(iterations: threads) { worker in
      for index in stride(from: worker, to: points.count, by: threads) {
        _ = slots.set(index, try? pipeline.decode(batch: [points[index]], candidates: 8)[0].get())
      }
    }
    return slots.values.map { $0! }
  }

  /// One weight's results against cosine-only ranking.
  struct Row {
    var weight: Float
    var fidelity: Double
    var loss: Double
    var fluency: Double
    var changed: Double

    init(weight: Float, results: [DecodeResult], cosineOnly: [DecodeResult], model: FluencyModel) {
      let count = Double(max(1, results.count))
      self.weight = weight
      fidelity = results.map { Double($0.fidelity) }.reduce(0, +) / count
      loss = zip(cosineOnly, results).map { Double($0.fidelity - $1.fidelity) }.reduce(0, +) / count
      fluency = results.map { Double(model.score($0.text)) }.reduce(0, +) / count
      changed = Double(zip(cosineOnly, results).filter { $0.text != $1.text }.count) / count
    }
  }
}
