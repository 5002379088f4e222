import CommandSupport
import ArgumentParser
import Foundation
import Latent

/// `latitude encode`: sentence embeddings from the Swift all-MiniLM-L6-v2.
struct EncodeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "encode",
    abstract: "Embed text with all-MiniLM-L6-v2 (384-d, unit length).",
    discussion: """
      latitude encode "some text"              one JSON object on stdout
      latitude encode --file lines.txt -o out.npy   one vector per line (.npy or .ndjson)
      A progress bar is drawn on stderr when it is a terminal.
      """)

  @Argument(help: "Text to encode (omit with --file).") var text: String?
  @Option(name: .long, help: "Encode each line of this file ('-' for standard input).")
  var file: String?
  @Option(
    name: .shortAndLong,
    help: "Output for --file: a .npy or .ndjson path (default: NDJSON on stdout).")
  var output: String?
  @Flag(help: "Write vectors as base64 fp16 (the wire form) instead of float arrays.")
  var base64 = false
  @Option(help: "Sentences per batch.") var batchSize = 32
  @Option(help: "Worker threads.") var threads = max(
    1, ProcessInfo.processInfo.activeProcessorCount)
  @Option(help: "Encoder weights folder.") var weights = SentenceEncoder.defaultDirectory

  func validate() throws {
    guard (text == nil) != (file == nil) else {
      throw ValidationError("give either a text or --file, not both or neither")
    }
    guard batchSize > 0, threads > 0 else {
      throw ValidationError("--batch-size and --threads must be positive")
    }
  }

  func run() throws {
    BLAS.useOneThreadPerCall()
    let encoder = try SentenceEncoder(directory: weights)
    if let text {
      let ids = encoder.tokenizer.encode(text)
      let vector = encoder.encode(tokenIDs: [ids])[0]
      writeOut(
        try jsonLine(["text": .string(text), "tokens": .number(Double(ids.count))], vector) + "\n")
      return
    }
    let lines = try readInputLines(file ?? "-")
    let progress = ProgressBar(total: lines.count, label: "encoding")
    var vectors: [[Float]] = []
    vectors.reserveCapacity(lines.count)
    let chunk = batchSize * threads * 4
    for start in stride(from: 0, to: lines.count, by: chunk) {
      let slice = Array(lines[start..<min(start + chunk, lines.count)])
      vectors += encoder.encode(slice, batchSize: batchSize, threads: threads)
      progress.update(vectors.count)
    }
    progress.finish()
    try write(lines: lines, vectors: vectors, dimension: encoder.dimension)
  }

  private func write(lines: [String], vectors: [[Float]], dimension: Int) throws {
    if let output, output.hasSuffix(".npy") {
      let matrix = Matrix(rows: vectors.count, columns: dimension, values: vectors.flatMap { $0 })
      try NumpyFile.encode(matrix).write(to: URL(fileURLWithPath: output))
      FileHandle.standardError.write(
        Data("wrote \(vectors.count)×\(dimension) to \(output)\n".utf8))
      return
    }
    var text = ""
    for (index, (line, vector)) in zip(lines, vectors).enumerated() {
      text +=
        try jsonLine(["line": .number(Double(index + 1)), "text": .string(line)], vector) + "\n"
    }
    if let output {
      try Data(text.utf8).write(to: URL(fileURLWithPath: output))
      FileHandle.standardError.write(Data("wrote \(vectors.count) vectors to \(output)\n".utf8))
    } else {
      writeOut(text)
    }
  }

  private func jsonLine(_ fields: [String: JSONField], _ vector: [Float]) throws -> String {
    var object = fields
    object["vector"] =
      base64 ? .string(HalfPrecisionCodec.base64(LatentVector(vector))) : .floats(vector)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(object), as: UTF8.self)
  }
}

/// A JSON value for the encode command's output.
enum JSONField: Encodable {
  case string(String)
  case number(Double)
  case floats([Float])

  func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .string(let value): try container.encode(value)
    case .number(let value): try container.encode(value)
    case .floats(let value): try container.encode(value)
    }
  }
}
