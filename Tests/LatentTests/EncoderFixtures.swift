import Foundation
import Latent
import Testing

/// The reference fixtures made by python/latitude_tools/tools/encoder_fixtures.py with sentence-transformers,
/// and the encoder under test (weights fetched by `make weights`).
enum EncoderFixtures {
  struct Fixture: Decodable {
    var text: String
    var ids: [Int32]
    var embedding: String

    var vector: [Float] {
      let data = Data(base64Encoded: embedding)!
      return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }
  }

  struct File: Decodable {
    var model: String
    var fixtures: [Fixture]
  }

  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  static let all: [Fixture] = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("Resources/encoder-fixtures.json")
    let data = try! Data(contentsOf: url)
    return try! JSONDecoder().decode(File.self, from: data).fixtures
  }()

  /// The encoder, or the error that says to run `make weights`.
  static let encoder: Result<SentenceEncoder, EncoderError> = {
    do throws(EncoderError) {
      return .success(
        try SentenceEncoder(
          directory: root.appendingPathComponent(SentenceEncoder.defaultDirectory).path))
    } catch {
      return .failure(error)
    }
  }()

  static func loaded(sourceLocation: SourceLocation = #_sourceLocation) throws -> SentenceEncoder {
    switch encoder {
    case .success(let encoder): return encoder
    case .failure(let error):
      Issue.record("\(error)", sourceLocation: sourceLocation)
      throw error
    }
  }
}
