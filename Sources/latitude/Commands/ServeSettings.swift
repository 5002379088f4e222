import CommandSupport
import Foundation
import Latent
import PluginHost

/// `latitude serve` settings resolved with precedence flags > environment > config file >
/// defaults. The file is `key = value` lines with `#` comments; deploy/latitude.conf lists
/// every key with its default.
struct ServeSettings {
  static let keys: [String: (environment: String, defaultValue: String)] = [
    "host": ("LATITUDE_HOST", "127.0.0.1"),
    "port": ("LATITUDE_PORT", "8080"),
    "db": ("LATITUDE_DB", "./data/latitude.sqlite"),
    "node-name": ("LATITUDE_NODE_NAME", ""),
    "lease-ms": ("LATITUDE_LEASE_MS", "4000"),
    "weights": ("LATITUDE_WEIGHTS", SentenceEncoder.defaultDirectory),
    "encoder": ("LATITUDE_ENCODER", "on"),
    "secret": ("LATITUDE_SECRET", ""),
    "max-message-bytes": ("LATITUDE_MAX_MESSAGE_BYTES", "1048576"),
    "frames-per-second": ("LATITUDE_FRAMES_PER_SECOND", "120"),
    "frame-burst": ("LATITUDE_FRAME_BURST", "240"),
    "decoder": ("LATITUDE_DECODER", TextDecoder.defaultDirectory),
    "bank": ("LATITUDE_BANK", "Weights/bank/train-48k.bank"),
    "known-words": ("LATITUDE_KNOWN_WORDS", "Weights/decoder/known-words.txt"),
    "fluency": ("LATITUDE_FLUENCY", "Weights/decoder/fluency.bin"),
    "fluency-weight": ("LATITUDE_FLUENCY_WEIGHT", "measured"),
    "intent-margin": ("LATITUDE_INTENT_MARGIN", "measured"),
    "features": ("LATITUDE_FEATURES", FeatureDictionary.defaultDirectory),
    "decode-workers": ("LATITUDE_DECODE_WORKERS", "0"),
    "decode-candidates": ("LATITUDE_DECODE_CANDIDATES", "8"),
    "busy-candidates": ("LATITUDE_BUSY_CANDIDATES", "1"),
    "busy-batch": ("LATITUDE_BUSY_BATCH", "4"),
    "busy-intent-candidates": ("LATITUDE_BUSY_INTENT_CANDIDATES", "2"),
    "decode-enough": ("LATITUDE_DECODE_ENOUGH", "measured"),
    "decode-correction": ("LATITUDE_DECODE_CORRECTION", "off"),
    "axis-packs": ("LATITUDE_AXIS_PACKS", AxisRegistry.defaultDirectory),
    "plugins": ("LATITUDE_PLUGINS", ""),
    "plugin-policy": ("LATITUDE_PLUGIN_POLICY", ""),
    "wasm-fuel": ("LATITUDE_WASM_FUEL", "500000000"),
    "wasm-memory-pages": ("LATITUDE_WASM_MEMORY_PAGES", "256"),
  ]

  private var values: [String: String] = [:]

  /// - Parameters:
  ///   - flags: values given on the command line (nil when absent).
  ///   - file: the config file, if any.
  /// - Throws: `CLIError` for an unreadable file, an unknown key or a malformed line.
  init(
    flags: [String: String?], file: String?,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws {
    var fromFile: [String: String] = [:]
    if let file {
      guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
        throw CLIError("cannot read config file \(file)")
      }
      for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false)
        .enumerated()
      {
        let line =
          raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first?
          .trimmingCharacters(in: .whitespaces) ?? ""
        if line.isEmpty { continue }
        // An empty value ("node-name =") is kept: the key's empty setting.
        let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
          $0.trimmingCharacters(in: .whitespaces)
        }
        guard parts.count == 2, Self.keys[parts[0]] != nil else {
          throw CLIError(
            "\(file):\(number + 1): expected 'key = value' with a known key, got '\(line)'")
        }
        fromFile[parts[0]] = parts[1]
      }
    }
    for (key, source) in Self.keys {
      values[key] =
        flags[key].flatMap { $0 } ?? environment[source.environment].flatMap {
          $0.isEmpty ? nil : $0
        }
        ?? fromFile[key] ?? source.defaultValue
    }
  }

  func string(_ key: String) -> String { values[key] ?? "" }

  func int(_ key: String) throws -> Int {
    guard let value = Int(string(key)) else {
      throw CLIError("\(key) must be an integer, not '\(string(key))'")
    }
    return value
  }

  func double(_ key: String) throws -> Double {
    guard let value = Double(string(key)) else {
      throw CLIError("\(key) must be a number, not '\(string(key))'")
    }
    return value
  }
}
