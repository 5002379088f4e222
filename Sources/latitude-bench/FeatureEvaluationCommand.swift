import ArgumentParser
import CommandSupport
import Dispatch
import Foundation
import Latent

/// `latitude-bench eval-features`: the feature dictionary measured on the test split, which
/// training never read (`make eval-features`). The last stdout line is one JSON object.
struct FeatureEvaluationCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval-features",
    abstract: "Measure the sparse feature dictionary on held-out sentences.",
    discussion: """
      fvu / recon_cosine / dead_fraction / mean_l0: every test sentence encoded, coded by the
      SAE and reconstructed. label_hit_rate: for --label-features random live features, the
      share whose first label word occurs in at least 3 of the feature's 10 strongest test
      sentences. steer_success_<edit>: for --pairs (test sentence, feature) pairs with the
      feature inactive, the feature steered to each of --targets and the latent decoded (8
      candidates, re-ranked, with the bank); the share whose decoded text activates the
      feature above its median active value (train split); fidelity_<edit> is the mean
      cosine of the decoded text's embedding with the steered latent, content_cosine_<edit>
      its cosine with the original sentence's embedding (how much of the sentence survives).
      The decoder ranks as the server ranks a steered node: a text on which the feature
      reads at least its median is favoured by --intent-margin (DecodeIntent).
      """)

  @Option(help: "Held-out sentences, one per line.") var sentences =
    "Weights/train/data/test.txt"
  @Option(help: "Feature dictionary folder.") var dictionary = FeatureDictionary.defaultDirectory
  @Option(help: "Live features sampled for the label hit rate.") var labelFeatures = 200
  @Option(help: "(sentence, feature) pairs steered.") var pairs = 200
  @Option(
    help:
      "Steering targets, comma-separated: p90, max, or a multiple of the feature's median active value. The first is the headline figure; the others add keys suffixed _x<target>."
  )
  var targets = "12,6,20"
  @Option(help: "Seed of the samples.") var seed: UInt64 = 7
  @Option(help: "Threads.") var threads = 2
  @Option(help: "Generated candidates per decode.") var candidates = 8
  @Option(
    help:
      "How much ranking favours a decoded text on which the feature fires above its median (cosine units; 0: plain ranking). The server's default."
  )
  var intentMargin = DecodeIntent.margin
  @OptionGroup var models: DecoderOptions

  func run() throws {
    let features = try FeatureDictionary(directory: dictionary)
    let sae = features.autoencoder
    let (pipeline, encoder) = try models.loadWithEncoder()
    let texts = try readInputLines(sentences).filter { !$0.isEmpty }
    guard !texts.isEmpty else { throw CLIError("no sentences in \(sentences) (make corpus)") }
    benchLog("encoding \(texts.count) held-out sentences…")
    let vectors = encoder.encode(texts, threads: threads)
    var codes: [SparseCode] = []
    for start in stride(from: 0, to: vectors.count, by: 1024) {
      codes += try sae.encode(Array(vectors[start..<min(start + 1024, vectors.count)]))
    }
    var results = reconstruction(vectors, codes, sae)
    results["label_hit_rate"] = labelHitRate(texts, codes, features)
    results["test_sentences"] = Double(texts.count)
    results["intent_margin"] = Double(intentMargin)
    let strengths = targets.split(separator: ",").map(String.init)
    guard !strengths.isEmpty else { throw CLIError("--targets needs at least one target") }
    for (index, strength) in strengths.enumerated() {
      let suffix = index == 0 ? "" : "_x\(strength)"
      for edit in SteerEdit.allCases {
        let outcome = try steering(
          vectors, codes, features, pipeline: pipeline, encoder: encoder, edit: edit,
          target: strength)
        results["steer_success_\(edit.rawValue)\(suffix)"] = outcome.success
        results["fidelity_\(edit.rawValue)\(suffix)"] = outcome.fidelity
        results["content_cosine_\(edit.rawValue)\(suffix)"] = outcome.content
        results["latent_reached_\(edit.rawValue)\(suffix)"] = outcome.reached
      }
    }
    if let multiple = Double(strengths[0]) { results["steer_target_x_median"] = multiple }
    results["steer_pairs"] = Double(pairs)
    if let training = try? JSONSerialization.jsonObject(
      with: Data(contentsOf: URL(fileURLWithPath: dictionary + "/training.json")))
      as? [String: Any],
      let seconds = training["seconds"] as? Double
    {
      results["training_seconds"] = seconds
    }
    writeOut(jsonLine(results))
  }

  private func reconstruction(_ vectors: [[Float]], _ codes: [SparseCode], _ sae: SparseAutoencoder)
    -> [String: Double]
  {
    let dimension = sae.dimension
    var mean = [Double](repeating: 0, count: dimension)
    for vector in vectors { for j in 0..<dimension { mean[j] += Double(vector[j]) } }
    mean = mean.map { $0 / Double(vectors.count) }
    var error = 0.0
    var total = 0.0
    var cosine = 0.0
    var fired = Set<Int>()
    var l0 = 0
    for (vector, code) in zip(vectors, codes) {
      let recon = sae.decode(code)
      for j in 0..<dimension {
        error += Double((recon[j] - vector[j]) * (recon[j] - vector[j]))
        total += (Double(vector[j]) - mean[j]) * (Double(vector[j]) - mean[j])
      }
      cosine += Double(VectorMath.cosine(recon, vector))
      fired.formUnion(code.indices)
      l0 += code.indices.count
    }
    let count = Double(vectors.count)
    benchLog(
      String(
        format: "fvu %.4f  recon cosine %.4f  dead %.4f  mean L0 %.1f", error / total,
        cosine / count, 1 - Double(fired.count) / Double(sae.features), Double(l0) / count))
    return [
      "fvu": error / total, "recon_cosine": cosine / count,
      "dead_fraction": 1 - Double(fired.count) / Double(sae.features),
      "mean_l0": Double(l0) / count, "features": Double(sae.features), "k": Double(sae.k),
    ]
  }

  private func labelHitRate(_ texts: [String], _ codes: [SparseCode], _ features: FeatureDictionary)
    -> Double
  {
    var strongest: [Int: [(Float, Int)]] = [:]
    for (row, code) in codes.enumerated() {
      for (feature, value) in zip(code.indices, code.values) {
        strongest[feature, default: []].append((value, row))
      }
    }
    var random = SplitMix64(seed: seed)
    // Every live feature counts; one whose label has no word is a miss.
    let live = features.catalog.items.filter(\.isLive)
    let sample = Array(live.shuffled(using: &random).prefix(labelFeatures))
    var hits = 0
    for info in sample {
      guard let word = info.words.first else { continue }
      let top = (strongest[info.id] ?? []).sorted { $0.0 > $1.0 }.prefix(10)
      let found = top.filter { Self.words(texts[$0.1]).contains(word) }.count
      if found >= 3 { hits += 1 }
    }
    let rate = sample.isEmpty ? 0 : Double(hits) / Double(sample.count)
    benchLog(String(format: "label hit rate %.3f over %d live features", rate, sample.count))
    return rate
  }

  private func steering(
    _ vectors: [[Float]], _ codes: [SparseCode], _ features: FeatureDictionary,
    pipeline: LatentDecoder, encoder: SentenceEncoder, edit: SteerEdit, target: String
  ) throws -> (success: Double, fidelity: Double, content: Double, reached: Double) {
    var random = SplitMix64(seed: seed &+ 1)
    let live = features.catalog.items.filter(\.isLive)
    var chosen: [(row: Int, info: FeatureInfo)] = []
    while chosen.count < pairs {
      let row = Int(random.next() % UInt64(vectors.count))
      let info = live[Int(random.next() % UInt64(live.count))]
      if codes[row].activation(of: info.id) == 0 { chosen.append((row, info)) }
    }
    var steered: [[Float]] = []
    var reached = 0
    for (row, info) in chosen {
      let goal = try targetValue(info, target)
      let result = try features.autoencoder.steer(
        vectors[row], feature: info.id, target: goal, edit: edit)
      if result.after >= (info.activation?.median ?? 0) { reached += 1 }
      steered.append(result.latent)
    }
    let (pairs, latents) = (chosen, steered)
    let originals = chosen.map { vectors[$0.row] }
    let outcomes = ResultSlots<(Bool, Float, Float)?>(count: pairs.count)
    let sae = features.autoencoder
    let candidates = self.candidates
    let intents = try pairs.map { pair throws -> [DecodeIntent] in
      guard intentMargin > 0 else { return [] }
      return [
        try sae.intent(
          feature: pair.info.id, atLeast: pair.info.activation?.median ?? 0, favour: intentMargin)
      ]
    }
    DispatchQueue.concurrentPerform(iterations: threads) { worker in
      for index in stride(from: worker, to: pairs.count, by: threads) {
        guard
          let decoded = try? pipeline.decode(
            latents[index], candidates: candidates, intents: intents[index])
        else {
          outcomes.set(index, nil)
          continue
        }
        let info = pairs[index].info
        let embedded = encoder.encode(decoded.text)
        let reread = (try? sae.encode(embedded))?.activation(of: info.id) ?? 0
        outcomes.set(
          index,
          (
            reread > (info.activation?.median ?? 0), decoded.fidelity,
            VectorMath.cosine(embedded, originals[index])
          ))
      }
    }
    let done = outcomes.values.compactMap { $0 }
    let success = Double(done.filter(\.0).count) / Double(max(1, chosen.count))
    let fidelity = done.map { Double($0.1) }.reduce(0, +) / Double(max(1, done.count))
    let content = done.map { Double($0.2) }.reduce(0, +) / Double(max(1, done.count))
    let reachedShare = Double(reached) / Double(chosen.count)
    benchLog(
      "steer \(edit.rawValue) to \(target): "
        + String(
          format: "success %.3f, decoded fidelity %.3f, content cosine %.3f, latent reached %.3f",
          success, fidelity, content, reachedShare))
    return (success, fidelity, content, reachedShare)
  }

  private func targetValue(_ info: FeatureInfo, _ target: String) throws -> Float {
    guard let activation = info.activation else { throw CLIError("feature \(info.id) is dead") }
    switch target {
    case "p90": return activation.p90
    case "max": return activation.max
    default:
      guard let multiple = Float(target), multiple > 0 else {
        throw CLIError("--targets are p90, max or positive numbers (× median)")
      }
      return activation.median * multiple
    }
  }

  /// Lower-cased words as the labels were made: letters a–z with inner apostrophes.
  static func words(_ text: String) -> Set<String> {
    var out = Set<String>()
    var word = ""
    var pendingApostrophe = false
    for scalar in text.lowercased().unicodeScalars {
      if ("a"..."z").contains(scalar) {
        if pendingApostrophe { word.append("'") }
        pendingApostrophe = false
        word.unicodeScalars.append(scalar)
      } else if scalar == "'", !word.isEmpty, !pendingApostrophe {
        pendingApostrophe = true
      } else {
        if !word.isEmpty { out.insert(word) }
        word = ""
        pendingApostrophe = false
      }
    }
    if !word.isEmpty { out.insert(word) }
    return out
  }
}
