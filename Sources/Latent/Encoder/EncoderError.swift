/// Why an encoder could not be loaded.
public enum EncoderError: Error, Equatable, CustomStringConvertible {
  /// A model file is missing; the message says how to fetch it.
  case missingFile(String)
  /// A config file is malformed.
  case badConfig(String)
  /// The weights file is unreadable or does not fit the config.
  case weights(SafeTensorsError)
  /// The vocabulary is unreadable or incomplete.
  case tokenizer(TokenizerError)

  public var description: String {
    switch self {
    case .missingFile(let path):
      "encoder file \(path) is missing; run `make weights` to fetch all-MiniLM-L6-v2"
    case .badConfig(let detail): "bad encoder config: \(detail)"
    case .weights(let error): "encoder weights: \(error) (run `make weights` to re-fetch)"
    case .tokenizer(let error): "encoder tokenizer: \(error)"
    }
  }
}
