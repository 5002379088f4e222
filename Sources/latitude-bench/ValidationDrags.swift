import CommandSupport
import Foundation
import Latent
import Logging
import PluginHost

/// Points like the ones drags produce, made from the validation split (never the test
/// split): each sentence is encoded and moved by ±1 along one of the built-in axes, in
/// turn. The calibration commands measure their policies on these.
struct ValidationDrags {
  /// The sampled sentences.
  var texts: [String]
  /// One moved, unit-length point per sentence.
  var points: [[Float]]
  /// How many built-in axes the moves used.
  var axes: Int

  /// `count` sentences of `path` (seeded shuffle), moved as described above.
  /// - Throws: `CLIError` for a test-split path, an empty file or no built-in axes.
  init(path: String, count: Int, seed: UInt64, encoder: SentenceEncoder, threads: Int) throws {
    guard !path.contains("test") else {
      throw CLIError("calibrate on the validation split, not the test split (\(path))")
    }
    let registry = AxisRegistry(
      directories: [AxisRegistry.defaultDirectory], builder: AxisBuilder(encoder: encoder),
      logger: Logger(label: "latitude.bench"))
    guard !registry.axes.isEmpty else { throw CLIError("no built-in axes in AxisPacks/") }
    var lines = try readInputLines(path).filter { !$0.isEmpty }
    guard !lines.isEmpty else { throw CLIError("no sentences in \(path)") }
    var random = SplitMix64(seed: seed)
    lines.shuffle(using: &random)
    texts = Array(lines.prefix(count))
    axes = registry.axes.count
    let latents = encoder.encode(texts, threads: threads)
    points = latents.enumerated().map { index, latent in
      let axis = registry.axes[index % registry.axes.count]
      let now = axis.calibration.coordinate(ofProjection: VectorMath.dot(latent, axis.direction))
      let goal = now + (index % 2 == 0 ? 1 : -1)
      return LatentGeometry.move(
        latent, onto: [axis.direction],
        targets: [axis.calibration.projection(ofCoordinate: goal)])
    }
  }
}
