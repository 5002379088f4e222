import Foundation
import Latent
import Logging

/// Every axis loaded from the axis-pack folders. A pack that cannot be read, an invalid
/// axis and a duplicate id are each refused with a log line; everything else still loads.
public final class AxisRegistry: Sendable {
  /// The loaded axes, in load order.
  public let axes: [BuiltAxis]
  /// The packs that loaded, with the number of axes each contributed.
  public let packs: [(name: String, version: String, path: String, axes: Int)]
  /// What was refused and why.
  public let refusals: [AxisPackError]

  /// The default folder of axis packs (the built-in pack lives there).
  public static let defaultDirectory = "AxisPacks"

  /// Loads every `*.json` in `directories` (sorted by name within each folder).
  public init(directories: [String], builder: AxisBuilder, logger: Logger) {
    var axes: [BuiltAxis] = []
    var known: [String: BuiltAxis] = [:]
    var packs: [(String, String, String, Int)] = []
    var refusals: [AxisPackError] = []
    func refuse(_ error: AxisPackError) {
      refusals.append(error)
      logger.error("axis pack refused", metadata: ["reason": "\(error)"])
    }
    for directory in directories {
      let files =
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
        .filter { $0.hasSuffix(".json") }.sorted()
      if files.isEmpty { logger.warning("no axis packs in \(directory)") }
      for file in files {
        let path = URL(fileURLWithPath: directory).appendingPathComponent(file).path
        let pack: AxisPack
        do {
          pack = try Self.read(path)
        } catch {
          refuse(error)
          continue
        }
        var count = 0
        for definition in pack.axes {
          if let existing = known[definition.id] {
            refuse(.duplicate(axis: definition.id, first: existing.pack, second: pack.name))
            continue
          }
          do {
            let axis = try builder.build(definition, pack: pack, known: known)
            known[axis.id] = axis
            axes.append(axis)
            count += 1
          } catch {
            refuse(error)
          }
        }
        packs.append((pack.name, pack.version, path, count))
        logger.info("axis pack loaded", metadata: ["pack": "\(pack.name)", "axes": "\(count)"])
      }
    }
    self.axes = axes
    self.packs = packs
    self.refusals = refusals
  }

  /// The axis with this id.
  public func axis(_ id: String) -> BuiltAxis? { axes.first { $0.id == id } }

  /// Reads and decodes one pack file.
  /// - Throws: `AxisPackError.unreadable` or `.malformed`.
  public static func read(_ path: String) throws(AxisPackError) -> AxisPack {
    guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path) }
    do {
      let pack = try JSONDecoder().decode(AxisPack.self, from: data)
      guard !pack.name.isEmpty, !pack.version.isEmpty else {
        throw AxisPackError.malformed(path: path, detail: "name and version must be non-empty")
      }
      return pack
    } catch let error as AxisPackError {
      throw error
    } catch let error as DecodingError {
      throw .malformed(path: path, detail: Self.describe(error))
    } catch {
      throw .malformed(path: path, detail: "\(error)")
    }
  }

  static func describe(_ error: DecodingError) -> String {
    switch error {
    case .keyNotFound(let key, let context):
      "missing '\(key.stringValue)' at \(path(context))"
    case .typeMismatch(_, let context), .valueNotFound(_, let context):
      "wrong type at \(path(context))"
    case .dataCorrupted(let context): "not JSON: \(context.debugDescription)"
    @unknown default: "\(error)"
    }
  }

  private static func path(_ context: DecodingError.Context) -> String {
    let parts = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }
    return parts.isEmpty ? "the top level" : parts.joined()
  }
}
