import ArgumentParser
import CommandSupport
import Foundation
import Latent
import Maps
import Synchronization

/// `latitude map`: a UMAP or t-SNE layout of a file of sentences or vectors, offline.
struct MapCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "map",
    abstract: "Lay out sentences or vectors in 2-D with UMAP or t-SNE (cosine distance).",
    discussion: """
      FILE is a .npy matrix of vectors (float32, one row per point) or a text file with one
      sentence per line (embedded with the encoder first).
        latitude map --method umap sentences.txt -o positions.json
        latitude map --method tsne vectors.npy --perplexity 30 -o positions.json
        latitude map --method umap old.npy --transform new.npy -o positions.json
      The output is one JSON object: method, parameters, count, positions ([x, y] per input
      row, in order), seconds per stage, and with --transform the new points' positions.
      Runs on one thread and is deterministic for a seed. Progress goes to stderr.
      """)

  enum Method: String, ExpressibleByArgument, CaseIterable { case umap, tsne }

  @Argument(help: "A .npy matrix or a text file of sentences.") var file: String
  @Option(help: "umap or tsne.") var method: Method = .umap
  @Option(name: .shortAndLong, help: "Write the JSON here (default: standard output).")
  var output: String?
  @Option(help: "Place these points (.npy or text) into the finished map without moving it.")
  var transform: String?
  @Option(help: "UMAP: neighbourhood size, the point included.") var neighbors = 15
  @Option(help: "UMAP: minimum distance between laid-out points.") var minDist: Float = 0.1
  @Option(help: "UMAP: SGD epochs (default 500 below 10,000 points, 200 above).")
  var epochs: Int?
  @Option(help: "t-SNE: perplexity.") var perplexity: Double = 30
  @Option(help: "t-SNE: iterations after early exaggeration.") var iterations = 500
  @Option(help: "t-SNE: early-exaggeration iterations.") var exaggerationIterations = 250
  @Option(help: "t-SNE: Barnes–Hut θ.") var theta: Float = 0.5
  @Option(help: "Seed of every random draw.") var seed: UInt64 = 42
  @Option(help: "Encoder weights folder (for text input).")
  var weights = SentenceEncoder.defaultDirectory

  func run() throws {
    BLAS.useOneThreadPerCall()
    var clock = ContinuousClock.now
    func lap() -> Double {
      let now = ContinuousClock.now
      defer { clock = now }
      return (now - clock).seconds
    }
    let points = try loadPoints(file)
    var seconds: [String: Double] = ["load": lap()]
    let bar = ProgressBar(total: 1000, label: "\(method.rawValue) ")
    let stages = StageClock()
    let report: @Sendable (MapProgress) -> Void = {
      stages.enter($0.stage)
      bar.update(Int($0.fraction * 1000))
    }
    var result: [String: Any] = ["method": method.rawValue, "count": points.rows]
    let place: (Matrix) throws -> [Float]
    let layout: [Float]
    switch method {
    case .umap:
      let parameters = UMAPParameters(
        neighbors: neighbors, minDist: minDist, epochs: epochs, seed: seed)
      let model = try mapped { try UMAP.fit(points, parameters: parameters, progress: report) }
      layout = model.embedding
      place = { try model.transform($0) }
      result["parameters"] = [
        "neighbors": neighbors, "min_dist": Double(minDist),
        "epochs": parameters.fitEpochs(count: points.rows), "seed": seed,
        "a": Double(model.curve.a), "b": Double(model.curve.b),
      ]
      result["initialization"] = model.initialization.rawValue
    case .tsne:
      let parameters = TSNEParameters(
        perplexity: perplexity, earlyExaggerationIterations: exaggerationIterations,
        iterations: iterations, theta: theta, seed: seed)
      let model = try mapped { try TSNE.fit(points, parameters: parameters, progress: report) }
      layout = model.embedding
      place = { try model.transform($0) }
      result["parameters"] = [
        "perplexity": perplexity, "iterations": iterations,
        "exaggeration_iterations": exaggerationIterations, "theta": Double(theta), "seed": seed,
      ]
    }
    bar.finish()
    seconds["fit"] = lap()
    for (stage, elapsed) in stages.finish() { seconds["fit_" + stage] = elapsed }
    result["positions"] = pairs(layout)
    if let transform {
      let newPoints = try loadPoints(transform)
      _ = lap()
      let placed = try mapped { try place(newPoints) }
      let elapsed = lap()
      seconds["transform"] = elapsed
      result["transformed"] = pairs(placed)
      result["transform_ms_per_point"] = elapsed * 1000 / Double(max(1, newPoints.rows))
    }
    result["seconds"] = seconds
    let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
    if let output {
      try json.write(to: URL(fileURLWithPath: output))
      FileHandle.standardError.write(
        Data("wrote \(points.rows) positions to \(output) (fit \(fmt(seconds["fit"]!)) s)\n".utf8))
    } else {
      writeOut(String(decoding: json, as: UTF8.self) + "\n")
    }
  }

  private func loadPoints(_ path: String) throws -> Matrix {
    if path.hasSuffix(".npy") {
      do { return try NumpyFile.readMatrix(path) } catch {
        throw CLIError("cannot read \(path) as a float32 .npy matrix: \(error)")
      }
    }
    let lines = try readInputLines(path).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    guard !lines.isEmpty else { throw CLIError("\(path) has no sentences") }
    let encoder = try SentenceEncoder(directory: weights)
    let bar = ProgressBar(total: lines.count, label: "encoding")
    var vectors: [Float] = []
    vectors.reserveCapacity(lines.count * encoder.dimension)
    let threads = max(1, ProcessInfo.processInfo.activeProcessorCount)
    for start in stride(from: 0, to: lines.count, by: 512) {
      let slice = Array(lines[start..<min(start + 512, lines.count)])
      for vector in encoder.encode(slice, batchSize: 32, threads: threads) { vectors += vector }
      bar.update(vectors.count / encoder.dimension)
    }
    bar.finish()
    return Matrix(rows: lines.count, columns: encoder.dimension, values: vectors)
  }

  /// Runs a map step, turning its refusal into a CLI message.
  private func mapped<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as MapError { throw CLIError("map: \(error)") }
  }

  private func pairs(_ layout: [Float]) -> [[Double]] {
    stride(from: 0, to: layout.count, by: 2).map {
      [(Double(layout[$0]) * 1e4).rounded() / 1e4, (Double(layout[$0 + 1]) * 1e4).rounded() / 1e4]
    }
  }

  private func fmt(_ value: Double) -> String { String(format: "%.2f", value) }
}

/// Seconds spent in each stage a progress callback reports, in the order entered.
final class StageClock: Sendable {
  private let state = Mutex<
    (current: String?, start: ContinuousClock.Instant, spent: [String: Double])
  >(
    (nil, .now, [:]))

  /// Marks `stage` as current (a no-op when it already is).
  func enter(_ stage: String) {
    state.withLock { s in
      guard s.current != stage else { return }
      let now = ContinuousClock.now
      if let current = s.current { s.spent[current, default: 0] += (now - s.start).seconds }
      (s.current, s.start) = (stage, now)
    }
  }

  /// Closes the current stage and returns the totals.
  func finish() -> [String: Double] {
    state.withLock { s in
      if let current = s.current {
        s.spent[current, default: 0] += (ContinuousClock.now - s.start).seconds
      }
      s.current = nil
      return s.spent
    }
  }
}
