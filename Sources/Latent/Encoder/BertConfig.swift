import Foundation

/// The parts of a Hugging Face BERT `config.json` the encoder uses.
public struct BertConfig: Codable, Sendable, Equatable {
  /// Tokens in the vocabulary.
  public var vocabSize: Int
  /// Width of every token vector.
  public var hiddenSize: Int
  /// Transformer layers.
  public var numHiddenLayers: Int
  /// Attention heads per layer.
  public var numAttentionHeads: Int
  /// Width of the feed-forward layer.
  public var intermediateSize: Int
  /// Longest sequence the position table covers.
  public var maxPositionEmbeddings: Int
  /// Token types (segments).
  public var typeVocabSize: Int
  /// LayerNorm epsilon.
  public var layerNormEps: Float
  /// Activation; only "gelu" is supported.
  public var hiddenAct: String

  enum CodingKeys: String, CodingKey {
    case vocabSize = "vocab_size"
    case hiddenSize = "hidden_size"
    case numHiddenLayers = "num_hidden_layers"
    case numAttentionHeads = "num_attention_heads"
    case intermediateSize = "intermediate_size"
    case maxPositionEmbeddings = "max_position_embeddings"
    case typeVocabSize = "type_vocab_size"
    case layerNormEps = "layer_norm_eps"
    case hiddenAct = "hidden_act"
  }

  /// Width of one attention head.
  public var headSize: Int { hiddenSize / numAttentionHeads }
}

/// sentence-transformers' `sentence_bert_config.json`.
struct SentenceBertConfig: Codable {
  var maxSeqLength: Int
  enum CodingKeys: String, CodingKey { case maxSeqLength = "max_seq_length" }
}
