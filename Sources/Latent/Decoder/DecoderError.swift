/// Why a decoder or sentence bank could not be loaded or used.
public enum DecoderError: Error, Equatable, CustomStringConvertible {
  /// A model file is missing.
  case missingFile(String)
  /// config.json is malformed or describes an unsupported model.
  case badConfig(String)
  /// The weights file is unreadable or does not fit the config.
  case weights(SafeTensorsError)
  /// vocab.txt does not fit the config or lacks a special token.
  case badVocabulary(String)
  /// The decoder or bank was made for another encoder or dimension.
  case encoderMismatch(expected: String, actual: String)
  /// A sentence bank file is malformed.
  case badBank(String)
  /// A fluency model file is malformed.
  case badFluency(String)
  /// A target vector has the wrong length, NaN/Inf entries or zero length.
  case badTarget(String)

  public var description: String {
    switch self {
    case .missingFile(let path):
      "\(path) is missing: run latitude from the repository root (the decoder in "
        + "Weights/decoder/ and the sentence bank in Weights/bank/ are committed there), or "
        + "pass --decoder / --bank"
    case .badConfig(let detail): "bad decoder config: \(detail)"
    case .weights(let error): "decoder weights: \(error)"
    case .badVocabulary(let detail): "bad decoder vocabulary: \(detail)"
    case .encoderMismatch(let expected, let actual):
      "made for encoder \(actual), but the loaded encoder is \(expected)"
    case .badBank(let detail): "bad sentence bank: \(detail)"
    case .badFluency(let detail): "bad fluency model: \(detail) (make fluency rebuilds it)"
    case .badTarget(let detail): "bad target vector: \(detail)"
    }
  }
}
