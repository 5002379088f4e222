import ArgumentParser
import CommandSupport
import Foundation
import Latent

/// `latitude features`: what the sparse dictionary of the embedding space reads in a text.
struct FeaturesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "features",
    abstract: "Show a text's active features (sparse autoencoder of the embedding space).",
    discussion: """
        latitude features "My flight was delayed for six hours"   top features, labelled
        latitude features "some text" --json                       one JSON object
        latitude features --search cooking                          features about a word
        latitude features --show 1234                               one feature, its examples
      Labels are automatic: the words most distinctive of a feature's top train sentences.
      Activation is in the feature's own units; "×median" compares it with the feature's
      median active value on the train split.
      """)

  @Argument(help: "Text to read (omit with --search or --show).") var text: String?
  @Option(help: "Search feature labels and top sentences for these words.") var search: String?
  @Option(help: "Show one feature by id.") var show: Int?
  @Option(help: "How many features to print.") var top = 10
  @Flag(help: "Print one JSON object instead of a table.") var json = false
  @Option(help: "Feature dictionary folder.") var dictionary = FeatureDictionary.defaultDirectory
  @Option(help: "Encoder weights folder.") var weights = SentenceEncoder.defaultDirectory

  func validate() throws {
    let given = [text != nil, search != nil, show != nil].filter { $0 }.count
    guard given == 1 else { throw ValidationError("give one of: a text, --search or --show") }
    guard top > 0 else { throw ValidationError("--top must be positive") }
  }

  func run() throws {
    BLAS.useOneThreadPerCall()
    let features = try FeatureDictionary(directory: dictionary)
    if let search {
      let found = features.catalog.search(search, limit: top)
      try emit(["query": search, "features": found.map(summary)]) {
        found.isEmpty
          ? "no feature mentions '\(search)'\n"
          : found.map { "\(pad($0.id))  \($0.label)  (density \(percent($0.density)))\n" }
            .joined()
      }
      return
    }
    if let show {
      let info = try features.liveFeature(show)
      try emit(summary(info).merging(["examples": info.examples.map(example)]) { $1 }) {
        "feature \(info.id): \(info.label)\n  fires on \(percent(info.density)) of train sentences"
          + "; median activation \(threeDecimals(info.activation?.median ?? 0))\n"
          + info.examples.map { "  \(threeDecimals($0.activation))  \($0.text)\n" }.joined()
      }
      return
    }
    let encoder = try SentenceEncoder(directory: weights)
    let vector = encoder.encode(text ?? "")
    let readings = try features.read(vector, limit: top)
    try emit(["text": text ?? "", "dictionary": features.name, "features": readings.map(reading)]) {
      readings.map {
        "\(pad($0.id))  \(threeDecimals($0.activation))  ×\(String(format: "%.1f", $0.relative)) median  \($0.label)\n"
      }.joined()
    }
  }

  private func emit(_ object: [String: Any], table: () -> String) throws {
    if json {
      let data = try JSONSerialization.data(
        withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
      writeOut(String(decoding: data, as: UTF8.self) + "\n")
    } else {
      writeOut(table())
    }
  }

  private func summary(_ info: FeatureInfo) -> [String: Any] {
    ["id": info.id, "label": info.label, "words": info.words, "density": info.density]
  }

  private func example(_ example: FeatureInfo.Example) -> [String: Any] {
    ["text": example.text, "activation": Double(example.activation)]
  }

  private func reading(_ reading: FeatureDictionary.Reading) -> [String: Any] {
    [
      "id": reading.id, "activation": Double(reading.activation), "label": reading.label,
      "relative": Double(reading.relative),
    ]
  }

  private func pad(_ id: Int) -> String {
    String(repeating: " ", count: max(0, 5 - "\(id)".count)) + "\(id)"
  }
  private func percent(_ share: Double) -> String { String(format: "%.2f%%", share * 100) }
}
