import CommandSupport
import ArgumentParser
import Foundation
import Latent

/// `latitude bank`: build or inspect a sentence bank.
struct BankCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bank",
    abstract: "Build or inspect a sentence bank (train-split sentences for decoding).",
    subcommands: [Build.self, Info.self])

  /// `latitude bank build`.
  struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Encode sentences (one per line) into an int8 bank file.",
      discussion: """
        make bank runs: latitude bank build Weights/train/data/train.txt --sample 48000 \\
          -o Weights/bank/train-48k.bank
        Only ever build a bank from the train split: the test split measures decoding.
        """)

    @Argument(help: "Sentences, one per line.") var file: String
    @Option(name: .shortAndLong, help: "Bank file to write.") var output: String
    @Option(help: "Keep a seeded random sample of this many sentences.") var sample: Int?
    @Option(help: "Sampling seed.") var seed: UInt64 = 1
    @Option(help: "Where the sentences came from (stored in the header).")
    var source = "train split"
    @Option(help: "Worker threads.") var threads = max(
      1, ProcessInfo.processInfo.activeProcessorCount)
    @Option(help: "Encoder weights folder.") var weights = SentenceEncoder.defaultDirectory

    func run() throws {
      BLAS.useOneThreadPerCall()
      let encoder = try SentenceEncoder(directory: weights)
      var lines = try readInputLines(file).filter { !$0.isEmpty }
      var description = source
      if let sample, sample < lines.count {
        var generator = SplitMix64(seed: seed)
        lines.shuffle(using: &generator)
        lines = Array(lines.prefix(sample))
        description += ", seeded sample of \(sample) (seed \(seed))"
      }
      let progress = ProgressBar(total: lines.count, label: "encoding")
      var vectors: [[Float]] = []
      for start in stride(from: 0, to: lines.count, by: 1024) {
        vectors += encoder.encode(
          Array(lines[start..<min(start + 1024, lines.count)]), threads: threads)
        progress.update(vectors.count)
      }
      progress.finish()
      let bank = SentenceBank(
        texts: lines, vectors: vectors, encoder: encoder.name, source: description)
      try bank.serialized().write(to: URL(fileURLWithPath: output))
      FileHandle.standardError.write(Data("wrote \(lines.count) sentences to \(output)\n".utf8))
    }
  }

  /// `latitude bank info`.
  struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a bank's header.")
    @Argument(help: "Bank file.") var file = SentenceBank.defaultPath

    func run() throws {
      let bank = try SentenceBank(contentsOf: file)
      let h = bank.header
      writeOut(
        "\(file): \(h.count) sentences, \(h.dimension)-d int8, encoder \(h.encoder), source: \(h.source)\n"
      )
    }
  }
}
