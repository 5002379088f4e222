/// The decoder's `config.json`, written by python/latitude_tools/train/decoder.py.
public struct DecoderConfig: Codable, Sendable, Equatable {
  /// Must be "latitude-prefix-decoder".
  public var modelType: String
  /// Output WordPieces (a subset of the encoder's vocabulary, listed in vocab.txt).
  public var vocabSize: Int
  /// Width of every vector; equals the encoder's embedding dimension.
  public var hiddenSize: Int
  /// Transformer layers.
  public var numHiddenLayers: Int
  /// Attention heads per layer.
  public var numAttentionHeads: Int
  /// Width of the feed-forward layer.
  public var intermediateSize: Int
  /// Conditioning vectors the embedding is mapped to.
  public var prefixLength: Int
  /// Longest output, in WordPieces ([SEP] included).
  public var maxLength: Int
  /// LayerNorm epsilon.
  public var layerNormEps: Float
  /// The encoder whose embeddings this decoder inverts, e.g. "all-MiniLM-L6-v2".
  public var encoder: String

  enum CodingKeys: String, CodingKey {
    case modelType = "model_type"
    case vocabSize = "vocab_size"
    case hiddenSize = "hidden_size"
    case numHiddenLayers = "num_hidden_layers"
    case numAttentionHeads = "num_attention_heads"
    case intermediateSize = "intermediate_size"
    case prefixLength = "prefix_length"
    case maxLength = "max_length"
    case layerNormEps = "layer_norm_eps"
    case encoder
  }

  /// Width of one attention head.
  public var headSize: Int { hiddenSize / numAttentionHeads }
  /// Positions the cache must hold: the prefix plus every fed token.
  public var positions: Int { prefixLength + maxLength }
}
