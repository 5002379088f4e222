import CommandSupport
import ArgumentParser
import Foundation
import Latent
import Logging
import PluginHost

/// `latitude axis`: list, project onto, and build axes from axis packs.
struct AxisCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "axis",
    abstract: "Semantic axes from axis packs: list them, project text onto one, build a pack.",
    subcommands: [List.self, Project.self, Build.self])

  /// Where packs and the encoder live.
  struct Options: ParsableArguments {
    @Option(help: "Axis-pack folder (repeatable) [AxisPacks].") var axisPacks: [String] = []
    @Option(help: "Encoder weights folder.") var weights = SentenceEncoder.defaultDirectory

    func registry() throws -> (AxisRegistry, SentenceEncoder) {
      BLAS.useOneThreadPerCall()
      let encoder = try SentenceEncoder(directory: weights)
      let logger = Logger(label: "latitude.axes")
      let folders = axisPacks.isEmpty ? [AxisRegistry.defaultDirectory] : axisPacks
      let registry = AxisRegistry(
        directories: folders, builder: AxisBuilder(encoder: encoder, threads: 2), logger: logger)
      return (registry, encoder)
    }
  }

  /// `latitude axis list`.
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the loaded axes with versions.")
    @OptionGroup var options: Options

    func run() throws {
      let (registry, _) = try options.registry()
      var lines: [String] = []
      for axis in registry.axes {
        lines.append(
          "\(axis.id)\t\(axis.name)\t\(axis.poles.negative) ↔ \(axis.poles.positive)\t\(axis.pack) \(axis.version)"
        )
      }
      for refusal in registry.refusals { lines.append("refused: \(refusal)") }
      writeOut(lines.joined(separator: "\n") + "\n")
    }
  }

  /// `latitude axis project`.
  struct Project: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print each input line's calibrated coordinate on an axis.",
      discussion: """
        Exactly one output line per input line, no header; the number is last on each line
        (-1 and +1 are the poles' example means). With --json each line is
        {"text": ..., "coordinate": ...}.
        """)
    @Option(help: "Axis id (see `latitude axis list`).") var axis: String
    @Argument(help: "Text file, one sentence per line ('-' for standard input).") var file: String
    @Flag(help: "JSON lines.") var json = false
    @OptionGroup var options: Options

    func run() throws {
      let (registry, encoder) = try options.registry()
      guard let found = registry.axis(axis) else {
        throw CLIError(
          "no axis '\(axis)'; loaded: \(registry.axes.map(\.id).joined(separator: ", "))")
      }
      let lines = try readInputLines(file)
      let vectors = encoder.encode(lines, threads: 2)
      var out = ""
      for (line, vector) in zip(lines, vectors) {
        let value = found.coordinate(of: vector)
        if json {
          let object: [String: Any] = ["text": line, "coordinate": Double(value)]
          let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
          out += String(decoding: data, as: UTF8.self) + "\n"
        } else {
          out +=
            "\(line.replacingOccurrences(of: "\t", with: " "))\t\(String(format: "%.4f", Double(value)))\n"
        }
      }
      writeOut(out)
    }
  }

  /// `latitude axis build`.
  struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Compute every axis of a pack and store the results in it (the cache).",
      discussion: "make axis-packs runs this on AxisPacks/builtin.json.")
    @Argument(help: "Axis-pack file to update in place.") var file: String
    @Option(help: "Encoder weights folder.") var weights = SentenceEncoder.defaultDirectory

    func run() throws {
      BLAS.useOneThreadPerCall()
      let encoder = try SentenceEncoder(directory: weights)
      let builder = AxisBuilder(encoder: encoder, threads: 2)
      var pack = try AxisRegistry.read(file)
      var known: [String: BuiltAxis] = [:]
      for index in pack.axes.indices {
        var definition = pack.axes[index]  // a still-valid cached build is reused
        let start = Date()
        let axis = try builder.build(definition, pack: pack, known: known)
        known[axis.id] = axis
        definition.computed = AxisDefinition.Computed(
          encoder: encoder.name, definitionSHA256: AxisBuilder.definitionHash(definition),
          direction: HalfPrecisionCodec.base64(LatentVector(axis.direction)),
          negativeMean: axis.calibration.negativeMean, positiveMean: axis.calibration.positiveMean)
        pack.axes[index] = definition
        FileHandle.standardError.write(
          Data(
            "built \(axis.id) in \(String(format: "%.1f", Date().timeIntervalSince(start))) s\n"
              .utf8))
      }
      let encoderJSON = JSONEncoder()
      encoderJSON.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      try encoderJSON.encode(pack).write(to: URL(fileURLWithPath: file))
    }
  }
}
