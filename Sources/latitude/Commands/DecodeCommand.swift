import CommandSupport
import ArgumentParser
import Foundation
import Latent

/// `latitude decode`: the text for a point in embedding space.
struct DecodeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "decode",
    abstract: "Turn a 384-d vector back into text (or round-trip a text).",
    discussion: """
      latitude decode --text "the food was cold"      encode, then decode (a round trip)
      latitude decode --vector v.json                  a JSON array, or `latitude encode` output
      latitude decode --vector m.npy --row 3           one row of a .npy matrix
      Candidates (greedy + seeded top-p samples, decoded as one batch) and the sentence bank's
      nearest sentences are re-ranked by the encoder's cosine plus --fluency-weight × the
      text's fluency (word-trigram SLOR; higher reads better); the fidelity is the cosine
      between the chosen text's embedding and the target.
      """)

  @Option(help: "Text to round-trip.") var text: String?
  @Option(help: "A JSON vector (array, or an object with \"vector\") or a .npy file.")
  var vector: String?
  @Option(help: "Row of a .npy matrix.") var row = 0
  @Option(help: "Generated candidates (1 = greedy only).") var candidates = 8
  @Option(help: "Nearest bank sentences added as candidates.") var bankCandidates = 3
  @Option(help: "Use beam search of this width instead of re-ranked candidates.") var beam: Int?
  @Option(help: "Sampling seed (default: derived from the vector).") var seed: UInt64?
  @Flag(help: "Print one JSON object.") var json = false
  @OptionGroup var models: DecoderOptions

  func validate() throws {
    guard (text == nil) != (vector == nil) else {
      throw ValidationError("give either --text or --vector")
    }
    guard (1...64).contains(candidates), (0...64).contains(bankCandidates) else {
      throw ValidationError("--candidates must be 1...64 and --bank-candidates 0...64")
    }
    if let beam, !(1...16).contains(beam) { throw ValidationError("--beam must be 1...16") }
  }

  func run() throws {
    let (pipeline, encoder) = try models.loadWithEncoder()
    let target = try text.map { encoder.encode($0) } ?? readVector()
    let result =
      try beam.map { try pipeline.decodeBeam(target, width: $0) }
      ?? pipeline.decode(target, candidates: candidates, bankCandidates: bankCandidates, seed: seed)
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
      let printed = DecodeResultJSON(result, fluency: pipeline.fluency?.model)
      writeOut(String(decoding: try encoder.encode(printed), as: UTF8.self) + "\n")
      return
    }
    let fluency = pipeline.fluency?.model
    func scored(_ text: String) -> String {
      fluency.map { ", fluency \(threeDecimals($0.score(text)))" } ?? ""
    }
    var lines = [
      result.text,
      "fidelity \(threeDecimals(result.fidelity)) (\(result.source.rawValue))\(scored(result.text))",
    ]
    for runner in result.runnersUp {
      lines.append(
        "  runner-up \(threeDecimals(runner.cosine)) \(runner.source.rawValue)\(scored(runner.text)): \(runner.text)"
      )
    }
    writeOut(lines.joined(separator: "\n") + "\n")
  }

  private func readVector() throws -> [Float] {
    let path = vector ?? ""
    if path.hasSuffix(".npy") {
      let matrix = try NumpyFile.readMatrix(path)
      guard row >= 0, row < matrix.rows else {
        throw CLIError("\(path) has \(matrix.rows) rows; --row \(row) is out of range")
      }
      return Array(matrix.values[row * matrix.columns..<(row + 1) * matrix.columns])
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw CLIError("cannot read \(path)")
    }
    let value = try? JSONSerialization.jsonObject(with: data)
    let array = (value as? [Any]) ?? ((value as? [String: Any])?["vector"] as? [Any])
    guard let numbers = array?.compactMap({ ($0 as? NSNumber)?.floatValue }),
      numbers.count == array?.count
    else {
      throw CLIError("\(path) is not a JSON array of numbers (or an object with \"vector\")")
    }
    return numbers
  }
}
