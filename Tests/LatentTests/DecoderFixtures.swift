import Foundation
import Latent
import Testing

/// The PyTorch reference made by python/latitude_tools/tools/decoder_fixtures.py, and the committed decoder
/// and encoder under test.
enum DecoderFixtures {
  struct Case: Decodable {
    var text: String
    var target: [Float]
    var greedy_tokens: [Int32]
    var greedy_text: String
    var forced_tokens: [Int32]
    var steps: Int
    var logits_f32: String

    var logits: [Float] {
      let data = Data(base64Encoded: logits_f32)!
      return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }
  }

  struct Detokenized: Decodable {
    var pieces: [String]
    var text: String
  }

  struct File: Decodable {
    var model: String
    var cases: [Case]
    var detokenize: [Detokenized]
  }

  static let file: File = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("Resources/decoder-fixtures.json")
    return try! JSONDecoder().decode(File.self, from: try! Data(contentsOf: url))
  }()

  static let directory = EncoderFixtures.root.appendingPathComponent("Weights/decoder")
    .appendingPathComponent(file.model).path

  /// The exact kernel the fixtures are compared on: fp16 panels where the CPU has AVX-512,
  /// BLAS otherwise. (The product's default, int8 panels, rounds the weights;
  /// `BytePanelMatrixTests` bounds how far it strays.)
  static let exactKernel: DecoderKernel = HalfPanelMatrix.isSupported ? .halfPanels : .blas
  static let decoder = load(kernel: exactKernel)
  static let blasDecoder = load(kernel: .blas)

  /// Every exact kernel this machine runs: BLAS, and fp16 panels where the CPU has AVX-512.
  static let kernels: [DecoderKernel] = [.blas] + (HalfPanelMatrix.isSupported ? [.halfPanels] : [])

  private static func load(kernel: DecoderKernel) -> Result<TextDecoder, DecoderError> {
    do throws(DecoderError) {
      return .success(try TextDecoder(directory: directory, kernel: kernel))
    } catch {
      return .failure(error)
    }
  }

  /// The decoder the fixtures were made for on `kernel` (BLAS, or else `exactKernel`), or a
  /// recorded issue.
  static func loaded(
    kernel: DecoderKernel = exactKernel, sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> TextDecoder {
    switch kernel == .blas ? blasDecoder : decoder {
    case .success(let decoder): return decoder
    case .failure(let error):
      Issue.record("\(error)", sourceLocation: sourceLocation)
      throw error
    }
  }

  /// The decoder on a rounding `kernel` against the exact one, on the fixtures' targets:
  /// the largest teacher-forced logit difference (on the exact decoder's greedy tokens) and
  /// how many of the greedy texts are the same.
  static func closeness(of kernel: DecoderKernel) throws -> (
    worstLogit: Float, sameGreedy: Int, count: Int
  ) {
    let exact = try loaded()
    let rounded = try TextDecoder(directory: directory, kernel: kernel)
    #expect(rounded.kernel == kernel)
    let targets = file.cases.map(\.target)
    var worst: Float = 0
    for target in targets {
      let tokens = exact.greedy([target])[0]
      for (x, y) in zip(
        exact.logits(target: target, tokens: tokens).joined(),
        rounded.logits(target: target, tokens: tokens).joined())
      {
        worst = max(worst, abs(x - y))
      }
    }
    let same = zip(exact.greedy(targets), rounded.greedy(targets)).filter { $0 == $1 }.count
    return (worst, same, targets.count)
  }

  /// Unit vectors of a few sentences, for generation tests.
  static func targets(_ count: Int) throws -> [[Float]] {
    let encoder = try EncoderFixtures.loaded()
    return encoder.encode(Array(sentences.prefix(count)))
  }

  static let sentences = [
    "The food was cold and the waiter was rude.",
    "I absolutely loved this movie.",
    "Could you send me the report by Friday?",
    "A small boat drifted across the quiet lake.",
    "He laughed at the joke.",
    "The committee will meet again next year to discuss the budget.",
  ]
}
