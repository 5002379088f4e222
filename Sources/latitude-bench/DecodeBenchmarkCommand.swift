import CommandSupport
import ArgumentParser
import Dispatch
import Foundation
import Latent

/// `latitude bench decode`: round-trip quality and latency of the decode pipeline on the
/// held-out test sample, set against the PyTorch reference measured in the same run.
struct DecodeBenchmarkCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "decode",
    abstract: "Decoder quality (round-trip cosines, F1, BLEU, repetition) and latency.",
    discussion: """
      Normally run by `make bench-decode`, which first measures the PyTorch reference
      (python/latitude_tools/train/generation.py) on the same sentences and writes --reference.
      Latency is one thread, one decode at a time, re-ranking included.
      """)

  @Option(help: "Held-out sentences, one per line.")
  var sentences = "Weights/train/test-sample.txt"
  @Option(help: "Latency samples for N=1 and for N=8.") var latencySamples = 100
  @Option(help: "Threads for the quality passes (latency always uses one).") var threads = 2
  @Option(help: "JSON results of the PyTorch reference.") var reference: String?
  @OptionGroup var models: DecoderOptions

  func run() throws {
    let (pipeline, encoder) = try models.loadWithEncoder()
    guard let bank = pipeline.bank else { throw CLIError("bench decode needs the sentence bank") }
    let texts = try readInputLines(sentences).filter { !$0.isEmpty }
    guard !texts.isEmpty else { throw CLIError("no sentences in \(sentences)") }
    benchLog(
      "\(texts.count) held-out sentences; decoder \(pipeline.decoder.name); bank \(bank.count)")
    let targets = encoder.encode(texts, threads: threads)

    func meanCosine(_ decoded: [String]) -> Double {
      let latents = encoder.encode(decoded, threads: threads)
      return zip(latents, targets).map { Double(VectorMath.dot($0, $1)) }.reduce(0, +)
        / Double(targets.count)
    }
    let greedy = stride(from: 0, to: targets.count, by: 32).flatMap {
      pipeline.decoder.greedy(Array(targets[$0..<min($0 + 32, targets.count)]))
    }.map(pipeline.decoder.text)
    let bankOnly = targets.map { bank.texts[bank.nearest(to: $0, k: 1)[0].row] }
    func rerank(_ pipeline: LatentDecoder, _ correction: DecodeCorrection) -> [DecodeResult] {
      let reranked = ResultSlots<DecodeResult?>(count: targets.count)
      DispatchQueue.concurrentPerform(iterations: threads) { worker in
        for index in stride(from: worker, to: targets.count, by: threads) {
          _ = reranked.set(
            index,
            try? pipeline.decode(batch: [targets[index]], candidates: 8, correction: correction)[0]
              .get())
        }
      }
      return reranked.values.map { $0! }
    }
    let rerankedResults = rerank(pipeline, pipeline.correction)
    // What correction buys: the same decodes without it.
    let uncorrected =
      pipeline.correction.steps > 0 ? rerank(pipeline, .off) : rerankedResults
    // What weighing fluency costs: the same decodes ranked by cosine alone.
    let cosineOnly =
      (pipeline.fluency?.weight ?? 0) > 0
      ? rerank(
        try LatentDecoder(
          encoder: encoder, decoder: pipeline.decoder, bank: bank,
          correction: pipeline.correction),
        pipeline.correction) : rerankedResults
    benchLog("quality passes done; timing \(latencySamples) decodes at N=1 and N=8 on one thread")

    // Every timed pass scans the bank afresh (a decode reuses a recent scan of its point).
    func latencies(_ candidates: Int) throws -> [Double] {
      pipeline.forgetBankScans()
      return try targets.prefix(latencySamples).map { target in
        let start = DispatchTime.now()
        _ = try pipeline.decode(target, candidates: candidates)
        return secondsSince(start) * 1000
      }.sorted()
    }
    _ = try latencies(1).prefix(5)
    let n1 = try latencies(1)
    let n8 = try latencies(8)
    // Where the N=1 time goes: generation alone, and the bank scan alone.
    func timed(_ body: ([Float]) -> Void) -> [Double] {
      targets.prefix(latencySamples).map { target in
        let start = DispatchTime.now()
        body(target)
        return secondsSince(start) * 1000
      }.sorted()
    }
    // The server's policy for a committed move: progressive, N=8, sampling skipped at the
    // measured threshold; the time to the first (bank) stage and to the final result.
    var firstStage: [Double] = []
    var progressive: [Double] = []
    var progressiveFidelity: [Double] = []
    pipeline.forgetBankScans()
    for target in targets.prefix(latencySamples) {
      let start = DispatchTime.now()
      var first: Double?
      let result = pipeline.decodeProgressively(
        batch: [target],
        effort: DecodeEffort(
          candidates: 8, enough: DecodeEffort.measuredEnough, correction: pipeline.correction)
      ) { _, _ in first = first ?? secondsSince(start) * 1000 }
      progressive.append(secondsSince(start) * 1000)
      firstStage.append(first ?? progressive[progressive.count - 1])
      if case .success(let final) = result[0] { progressiveFidelity.append(Double(final.fidelity)) }
    }
    firstStage.sort()
    progressive.sort()
    let generateN1 = timed { _ = pipeline.decoder.candidates(for: $0, count: 1) }
    let scan = timed { _ = bank.nearest(to: $0, k: 3) }
    let count = Double(texts.count)
    var results: [String: Double] = [
      "count": count,
      "cos_greedy": meanCosine(greedy),
      "cos_reranked": rerankedResults.map { Double($0.fidelity) }.reduce(0, +) / count,
      "cos_reranked_uncorrected": uncorrected.map { Double($0.fidelity) }.reduce(0, +) / count,
      "correction_steps": Double(pipeline.correction.steps),
      "cos_bank_only": meanCosine(bankOnly),
      "share_generated": Double(rerankedResults.filter { $0.source == .generated }.count) / count,
      "token_f1_greedy": zip(greedy, texts).map(TextMetrics.tokenF1).reduce(0, +) / count,
      "bleu_greedy": zip(greedy, texts).map(TextMetrics.bleu).reduce(0, +) / count,
      "repetition_rate": Double(greedy.filter(TextMetrics.repeats).count) / count,
      "p50_ms_n1": percentile(n1, 0.5), "p99_ms_n1": percentile(n1, 0.99),
      "p50_ms_n8": percentile(n8, 0.5), "p99_ms_n8": percentile(n8, 0.99),
      "p50_ms_generate_n1": percentile(generateN1, 0.5), "p50_ms_bank_scan": percentile(scan, 0.5),
      "p50_ms_progressive_n8": percentile(progressive, 0.5),
      "p99_ms_progressive_n8": percentile(progressive, 0.99),
      "p50_ms_first_stage": percentile(firstStage, 0.5),
      "cos_progressive_n8": progressiveFidelity.reduce(0, +)
        / Double(max(1, progressiveFidelity.count)),
    ]
    // Measured against the committed list whether or not generation used it.
    let known = try KnownWords(contentsOf: KnownWords.defaultPath)
    results["nonword_rate"] = TextMetrics.nonwordRate(
      rerankedResults.map(\.text), originals: texts, known: known)
    results["nonword_rate_greedy"] = TextMetrics.nonwordRate(greedy, originals: texts, known: known)
    results["known_words"] = models.knownWords == "off" ? 0 : 1
    // Fluency (SLOR of the committed model, whether or not ranking weighed it).
    let fluency = try pipeline.fluency?.model ?? FluencyModel(contentsOf: FluencyModel.defaultPath)
    func meanFluency(_ decoded: [String]) -> Double {
      decoded.map { Double(fluency.score($0)) }.reduce(0, +) / count
    }
    results["fluency_weight"] = Double(pipeline.fluency?.weight ?? 0)
    results["fluency_reranked"] = meanFluency(rerankedResults.map(\.text))
    results["fluency_greedy"] = meanFluency(greedy)
    results["fluency_originals"] = meanFluency(texts)
    results["fluency_cosine_only"] = meanFluency(cosineOnly.map(\.text))
    results["cos_reranked_cosine_only"] =
      cosineOnly.map { Double($0.fidelity) }.reduce(0, +) / count
    try compare(with: &results)
    for (index, (text, result)) in zip(texts, rerankedResults).prefix(5).enumerated() {
      benchLog(
        "example \(index + 1): \(text)\n  greedy: \(greedy[index])\n  best:   \(result.text) (\(threeDecimals(result.fidelity)), \(result.source.rawValue))"
      )
    }
    let changed = zip(cosineOnly, rerankedResults).filter { $0.text != $1.text }
    results["fluency_changed"] = Double(changed.count) / count
    for (plain, weighed) in changed.prefix(5) {
      benchLog(
        "fluency chose: \(weighed.text) (\(threeDecimals(weighed.fidelity)), fluency \(threeDecimals(fluency.score(weighed.text))))\n  over:         \(plain.text) (\(threeDecimals(plain.fidelity)), fluency \(threeDecimals(fluency.score(plain.text))))"
      )
    }
    let json = results.keys.sorted().map { key in
      let value = results[key]!
      return "\"\(key)\": "
        + (["count", "correction_steps"].contains(key)
          ? String(Int(value)) : String(format: "%.4f", value))
    }
    writeOut("{" + json.joined(separator: ", ") + "}\n")
  }

  /// Adds the PyTorch reference's figures, the differences and the latency ratios.
  private func compare(with results: inout [String: Double]) throws {
    guard let reference else { return }
    guard let data = FileManager.default.contents(atPath: reference),
      let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { throw CLIError("cannot read the reference results \(reference)") }
    for key in ["cos_greedy", "token_f1_greedy", "bleu_greedy", "repetition_rate"] {
      guard let value = (object[key] as? NSNumber)?.doubleValue else { continue }
      results["pytorch_" + key] = value
      results["delta_" + key] = results[key]! - value
    }
    for (ours, theirs) in [("p50_ms_n1", "p50_ms_greedy_n1"), ("p50_ms_n8", "p50_ms_generate_n8")] {
      guard let value = (object[theirs] as? NSNumber)?.doubleValue, value > 0 else { continue }
      results["pytorch_" + theirs] = value
      results["latency_ratio_vs_pytorch_" + ours.dropFirst(7)] = results[ours]! / value
    }
  }
}
