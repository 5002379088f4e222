import CommandSupport
import ArgumentParser
import Dispatch
import Foundation
import Latent

/// `latitude roundtrip`: encode each line, decode it back, and say how close it came.
struct RoundtripCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "roundtrip",
    abstract: "Encode and decode each line of a file; print the result and its cosine.",
    discussion: """
      One line per input: the original, the decoded text, the cosine and the source
      (generated or bank). The last line is a summary; with --json every line is a JSON
      object and the summary is {"mean_cosine", "share_generated", "count"}.
      """)

  @Argument(help: "A text file with one sentence per line ('-' for standard input).")
  var file: String
  @Option(help: "Generated candidates per line (1 = greedy only).") var candidates = 8
  @Option(help: "Nearest bank sentences added as candidates.") var bankCandidates = 3
  @Option(help: "Worker threads.") var threads = max(
    1, ProcessInfo.processInfo.activeProcessorCount)
  @Flag(help: "JSON lines instead of text.") var json = false
  @OptionGroup var models: DecoderOptions

  func validate() throws {
    guard (1...64).contains(candidates), (0...64).contains(bankCandidates), threads > 0 else {
      throw ValidationError("--candidates must be 1...64, --bank-candidates 0...64, --threads > 0")
    }
  }

  func run() throws {
    let (pipeline, sentenceEncoder) = try models.loadWithEncoder()
    let lines = try readInputLines(file).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    guard !lines.isEmpty else { throw CLIError("\(file) has no non-empty lines") }
    let targets = sentenceEncoder.encode(lines, threads: threads)
    let results = ResultSlots<DecodeResult?>(count: lines.count)
    let progress = ProgressBar(total: lines.count, label: "decoding")
    let (candidates, bankCandidates) = (candidates, bankCandidates)
    DispatchQueue.concurrentPerform(iterations: threads) { worker in
      for index in stride(from: worker, to: lines.count, by: threads) {
        let result = try? pipeline.decode(
          targets[index], candidates: candidates, bankCandidates: bankCandidates)
        progress.update(results.set(index, result))
      }
    }
    progress.finish()
    let decoded = results.values
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var out = ""
    for (line, result) in zip(lines, decoded) {
      let text = result?.text ?? ""
      let cosine = result?.fidelity ?? 0
      let source = result?.source.rawValue ?? "none"
      if json {
        let row = Row(original: line, decoded: text, cosine: cosine, source: source)
        out += String(decoding: try encoder.encode(row), as: UTF8.self) + "\n"
      } else {
        out += "\(line)\t→ \(text)\t\(threeDecimals(cosine)) \(source)\n"
      }
    }
    let mean = decoded.map { Double($0?.fidelity ?? 0) }.reduce(0, +) / Double(lines.count)
    let generated = Double(decoded.filter { $0?.source == .generated }.count) / Double(lines.count)
    if json {
      let summary = Summary(mean_cosine: mean, share_generated: generated, count: lines.count)
      out += String(decoding: try encoder.encode(summary), as: UTF8.self) + "\n"
    } else {
      out += String(
        format: "mean cosine %.4f over %d lines; %.1f%% generated, the rest from the bank\n", mean,
        lines.count, generated * 100)
    }
    writeOut(out)
  }

  private struct Row: Encodable {
    var original: String
    var decoded: String
    var cosine: Float
    var source: String
  }

  private struct Summary: Encodable {
    var mean_cosine: Double
    var share_generated: Double
    var count: Int
  }
}
