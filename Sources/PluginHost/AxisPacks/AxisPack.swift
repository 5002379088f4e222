/// An axis pack: axes defined by data, safe to accept from anyone (Schema/axis-pack.schema.json).
public struct AxisPack: Codable, Sendable, Equatable {
  /// The pack's name, e.g. "latitude-builtin".
  public var name: String
  /// Its version.
  public var version: String
  /// What it is for.
  public var description: String?
  /// Its axes, in order; a combination may only use axes defined before it.
  public var axes: [AxisDefinition]

  /// Makes a pack.
  public init(name: String, version: String, description: String?, axes: [AxisDefinition]) {
    self.name = name
    self.version = version
    self.description = description
    self.axes = axes
  }
}

/// One axis of a pack: example sentences per pole, or a weighted combination of axes.
public struct AxisDefinition: Codable, Sendable, Equatable {
  /// Pole labels.
  public struct Poles: Codable, Sendable, Equatable {
    /// The label of the −1 end.
    public var negative: String
    /// The label of the +1 end.
    public var positive: String

    /// Makes pole labels.
    public init(negative: String, positive: String) {
      self.negative = negative
      self.positive = positive
    }
  }

  /// An example sentence with an optional weight (default 1).
  public struct Example: Codable, Sendable, Equatable {
    /// The sentence.
    public var text: String
    /// Its weight in the pole's mean (default 1).
    public var weight: Float?

    /// Makes an example.
    public init(text: String, weight: Float? = nil) {
      self.text = text
      self.weight = weight
    }

    enum CodingKeys: String, CodingKey { case text, weight }

    /// Reads a plain string or a {"text", "weight"} object.
    public init(from decoder: any Decoder) throws {
      if let text = try? decoder.singleValueContainer().decode(String.self) {
        self.init(text: text)
        return
      }
      let container = try decoder.container(keyedBy: CodingKeys.self)
      self.init(
        text: try container.decode(String.self, forKey: .text),
        weight: try container.decodeIfPresent(Float.self, forKey: .weight))
    }
  }

  /// Examples of each pole.
  public struct Examples: Codable, Sendable, Equatable {
    /// Examples of the −1 end.
    public var negative: [Example]
    /// Examples of the +1 end.
    public var positive: [Example]

    /// Makes the examples.
    public init(negative: [Example], positive: [Example]) {
      self.negative = negative
      self.positive = positive
    }
  }

  /// One term of a combination axis.
  public struct Component: Codable, Sendable, Equatable {
    /// An axis id defined earlier (in this pack or an earlier one).
    public var axis: String
    /// Its weight.
    public var weight: Float
  }

  /// A cached result of building the axis, used when the examples and encoder still match.
  public struct Computed: Codable, Sendable, Equatable {
    /// The encoder it was computed with.
    public var encoder: String
    /// sha256 of the canonical definition (examples or components, and method).
    public var definitionSHA256: String
    /// The unit direction, base64 fp16.
    public var direction: String
    /// Mean raw projection of the negative examples.
    public var negativeMean: Float
    /// Mean raw projection of the positive examples.
    public var positiveMean: Float

    /// Makes a cached build.
    public init(
      encoder: String, definitionSHA256: String, direction: String, negativeMean: Float,
      positiveMean: Float
    ) {
      self.encoder = encoder
      self.definitionSHA256 = definitionSHA256
      self.direction = direction
      self.negativeMean = negativeMean
      self.positiveMean = positiveMean
    }
  }

  /// A stable id (letters, digits, "-", "_", ".").
  public var id: String
  /// Display name.
  public var name: String
  /// Pole labels.
  public var poles: Poles
  /// "mean-difference" (default) or "logistic".
  public var method: String?
  /// Where the examples come from.
  public var source: String?
  /// Example sentences per pole (or use `combine`).
  public var examples: Examples?
  /// A weighted combination of other axes (or use `examples`).
  public var combine: [Component]?
  /// The cached build, written by `latitude axis build`.
  public var computed: Computed?

  /// Makes a definition.
  public init(
    id: String, name: String, poles: Poles, method: String?, source: String?,
    examples: Examples?, combine: [Component]?, computed: Computed?
  ) {
    self.id = id
    self.name = name
    self.poles = poles
    self.method = method
    self.source = source
    self.examples = examples
    self.combine = combine
    self.computed = computed
  }
}
