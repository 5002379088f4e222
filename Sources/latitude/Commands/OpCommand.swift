import CommandSupport
import ArgumentParser
import Canvas
import Foundation
import Latent
import Logging
import PluginHost

/// `latitude op`: run a plugin operation offline on texts and decode what it returns.
struct OpCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "op",
    abstract: "Run an operation on texts; print the resulting texts and their fidelity.",
    discussion: """
      latitude op move --axis sentiment --to 1.0 "the food was cold"
      latitude op mix "a rainy day" "a sunny beach" --params '{"weights": [1, 3]}'
      latitude op blur "the cat slept" --params '{"radius": 0.3, "count": 4}'
      latitude op analogy "king" "man" "woman"
      latitude op pca-layout "a" "b" "c" ...     prints each text's PC1/PC2 coordinates
      `move` is short for move-along-axes; axes come from the axis packs.
      """)

  @Argument(help: "Operation name (see `latitude plugins list`).") var name: String
  @Argument(help: "Input texts.") var texts: [String] = []
  @Option(help: "Params as a JSON object.") var params = "{}"
  @Option(help: "For move: axis id (repeatable, paired with --to).") var axis: [String] = []
  @Option(help: "For move: target coordinate (repeatable).") var to: [Float] = []
  @Option(help: "Plugin folder (repeatable).") var plugins: [String] = []
  @Option(help: "Axis-pack folder (repeatable) [AxisPacks].") var axisPacks: [String] = []
  @Option(help: "Generated candidates per decode.") var candidates = 8
  @OptionGroup var models: DecoderOptions

  func run() throws {
    guard axis.count == to.count else { throw CLIError("give one --to per --axis") }
    let (pipeline, encoder) = try models.loadWithEncoder()
    let logger = Logger(label: "latitude.op")
    let registry = PluginRegistry(
      directories: plugins, encoder: encoder, logger: logger)
    let packs = AxisRegistry(
      directories: axisPacks.isEmpty ? [AxisRegistry.defaultDirectory] : axisPacks,
      builder: AxisBuilder(encoder: encoder), logger: logger)
    let operation = name == "move" ? "move-along-axes" : name
    guard var parameters = try? JSONDecoder().decode(JSONValue.self, from: Data(params.utf8)),
      case .object(var members) = parameters
    else { throw CLIError("--params must be a JSON object") }
    if !axis.isEmpty {
      members["targets"] = .object(
        Dictionary(uniqueKeysWithValues: zip(axis, to).map { ($0, JSONValue.number(Double($1))) }))
      parameters = .object(members)
    }
    let axes = packs.axes.map {
      OperationAxis(
        id: $0.id, direction: $0.direction, negativeMean: $0.calibration.negativeMean,
        positiveMean: $0.calibration.positiveMean)
    }
    for id in axis where packs.axis(id) == nil {
      throw CLIError("no axis '\(id)'; loaded: \(packs.axes.map(\.id).joined(separator: ", "))")
    }
    let inputs = encoder.encode(texts)
    let output = try registry.run(operation, inputs: inputs, params: parameters, axes: axes)
    var lines: [String] = []
    switch output.kind {
    case .nodes:
      for vector in output.vectors {
        let result = try pipeline.decode(vector, candidates: candidates)
        lines.append(
          "\(result.text)\t(fidelity \(threeDecimals(result.fidelity)), \(result.source.rawValue))")
      }
    case .axes:
      for (text, input) in zip(texts, inputs) {
        let coordinates = zip(output.vectors, output.calibrations).map { direction, calibration in
          AxisCalibration(negativeMean: calibration.negative, positiveMean: calibration.positive)
            .coordinate(ofProjection: VectorMath.dot(direction, input))
        }
        lines.append(
          "\(text)\t"
            + coordinates.enumerated().map { "PC\($0.offset + 1) \(threeDecimals($0.element))" }
            .joined(separator: "  "))
      }
    }
    writeOut(lines.joined(separator: "\n") + "\n")
  }
}
