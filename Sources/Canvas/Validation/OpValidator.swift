import LatentMath

/// Checks ops against `ValidationLimits`. Never crashes on any input; every refusal is a
/// typed `ValidationError`. Unknown ids are not its business: the store, which has a total
/// order, rejects those.
public struct OpValidator: Sendable {
  /// Feature ids a feature.name may name (dictionaries are far smaller).
  public static let maxFeatureID = 1 << 20
  /// Characters in a feature's name.
  public static let maxFeatureNameLength = 80
  /// Entries in a plugins.allow list.
  public static let maxAllowedPlugins = 256

  /// The limits in force.
  public var limits: ValidationLimits

  /// Makes a validator.
  public init(limits: ValidationLimits = .standard) {
    self.limits = limits
  }

  /// Validates an op about to be logged in a document whose largest lamport is
  /// `documentLamport`. Logged moves and text edits must carry their resolved latents.
  /// - Throws: `ValidationError` for the first problem found.
  public func validate(_ op: Op, documentLamport: UInt64) throws(ValidationError) {
    try validateContent(op)
    try checkLamport(op.id, documentLamport: documentLamport)
  }

  /// Everything about an op that does not depend on the document: ids, texts, vectors.
  /// Callers may run it early, on their own thread, and check the lamport later.
  /// - Throws: `ValidationError` for the first problem found.
  public func validateContent(_ op: Op) throws(ValidationError) {
    guard op.id.lamport > 0 else { throw .zeroLamport }
    try checkID(op.id.replica.rawValue, field: "replica")
    try checkID(op.actor, field: "actor")
    try validate(op.payload)
  }

  /// Refuses a lamport more than `maxLamportLead` ahead of the document's largest.
  /// - Throws: `ValidationError.lamportTooFarAhead`.
  public func checkLamport(_ id: OpID, documentLamport: UInt64) throws(ValidationError) {
    if id.lamport > documentLamport, id.lamport - documentLamport > limits.maxLamportLead {
      throw .lamportTooFarAhead(
        lamport: id.lamport, documentLamport: documentLamport, limit: limits.maxLamportLead)
    }
  }

  /// Validates a payload on its own.
  /// - Throws: `ValidationError` for the first problem found.
  public func validate(_ payload: OpPayload) throws(ValidationError) {
    if let node = payload.node { try checkID(node.rawValue, field: "node") }
    if let axis = payload.axis { try checkID(axis.rawValue, field: "axis") }
    switch payload {
    case .nodeCreate(let p):
      if let text = p.text { try checkText(text, field: "text") }
      try checkVector(p.latent, field: "latent")
      try checkList(p.origin.parents.count, field: "origin.parents")
      for parent in p.origin.parents { try checkID(parent.rawValue, field: "origin.parents") }
    case .nodeMove(let p):
      try checkList(p.coordinates.count, field: "coordinates")
      for coordinate in p.coordinates {
        try checkID(coordinate.axis.rawValue, field: "coordinates.axis")
        try checkNumber(coordinate.value, field: "coordinates.value")
      }
      guard let latent = p.latent else { throw .unresolvedLatent(kind: .nodeMove) }
      try checkVector(latent, field: "latent")
    case .nodeSetText(let p):
      try checkText(p.text, field: "text")
      guard let latent = p.latent else { throw .unresolvedLatent(kind: .nodeSetText) }
      try checkVector(latent, field: "latent")
    case .nodeDecoded(let p):
      try checkText(p.text, field: "text")
      try checkVector(p.textLatent, field: "textLatent")
      try checkNumber(p.fidelity, field: "fidelity")
      try checkList(p.runnersUp.count, field: "runnersUp")
      for runner in p.runnersUp {
        try checkText(runner.text, field: "runnersUp.text")
        try checkNumber(runner.cosine, field: "runnersUp.cosine")
      }
      try checkID(p.decoderVersion, field: "decoderVersion")
    case .nodeDelete, .axisDelete:
      break
    case .axisCreate(let p):
      try checkAxisFields(
        name: p.name, poles: p.poles, direction: p.direction, calibration: p.calibration)
      try checkID(p.provider, field: "provider")
    case .axisUpdate(let p):
      try checkAxisFields(
        name: p.name, poles: p.poles, direction: p.direction, calibration: p.calibration)
      if let provider = p.provider { try checkID(provider, field: "provider") }
    case .viewBind(let p):
      if case .bind(let axis) = p.x { try checkID(axis.rawValue, field: "x") }
      if case .bind(let axis) = p.y { try checkID(axis.rawValue, field: "y") }
    case .viewLayout(let p):
      guard p.positions.count <= limits.maxMapPositions else {
        throw .tooMany(field: "positions", limit: limits.maxMapPositions)
      }
      guard case .object = p.params else { throw .malformed("params must be a JSON object") }
      for position in p.positions {
        try checkID(position.node.rawValue, field: "positions.node")
        try checkNumber(position.x, field: "positions.x")
        try checkNumber(position.y, field: "positions.y")
      }
    case .featureName(let p):
      try checkID(p.dictionary, field: "dictionary")
      guard (0..<Self.maxFeatureID).contains(p.feature) else {
        throw .malformed("feature must be an id from 0 to \(Self.maxFeatureID - 1)")
      }
      // "" clears the name; a name is at most 80 characters.
      if !p.name.isEmpty {
        try checkText(p.name, field: "name")
        guard p.name.count <= Self.maxFeatureNameLength else {
          throw .textTooLong(field: "name", limit: Self.maxFeatureNameLength)
        }
      }
    case .pluginsAllow(let p):
      if let plugins = p.plugins {
        guard plugins.count <= Self.maxAllowedPlugins else {
          throw .malformed("plugins lists more than \(Self.maxAllowedPlugins) entries")
        }
        for plugin in plugins { try checkID(plugin, field: "plugins") }
      }
    case .opApply(let p):
      try checkID(p.plugin, field: "plugin")
      try checkID(p.operation, field: "operation")
      try checkList(p.inputs.count, field: "inputs")
      try checkList(p.outputs.count, field: "outputs")
    }
  }

  private func checkAxisFields(
    name: String?, poles: AxisPoles?, direction: LatentVector?, calibration: AxisCalibration?
  ) throws(ValidationError) {
    if let name { try checkText(name, field: "name") }
    if let poles {
      try checkText(poles.negative, field: "poles.negative")
      try checkText(poles.positive, field: "poles.positive")
    }
    if let direction {
      try checkVector(direction, field: "direction")
      guard VectorMath.norm(direction.floats) > Self.minimumDirectionNorm else {
        throw .zeroDirection(field: "direction")
      }
    }
    if let calibration {
      try checkNumber(calibration.negativeMean, field: "calibration.negativeMean")
      try checkNumber(calibration.positiveMean, field: "calibration.positiveMean")
      guard calibration.isUsable else { throw .degenerateCalibration(field: "calibration") }
    }
  }

  /// The smallest norm an axis direction may have before it is normalised.
  public static let minimumDirectionNorm: Float = 1e-3

  /// Checks a latent's length and values.
  public func checkVector(_ vector: LatentVector, field: String) throws(ValidationError) {
    guard vector.count == limits.dimension else {
      throw .wrongDimension(field: field, expected: limits.dimension, actual: vector.count)
    }
    guard vector.isFinite else { throw .nonFinite(field: field) }
  }

  /// Checks that a text is non-blank and within the length limit.
  public func checkText(_ text: String, field: String) throws(ValidationError) {
    // A character takes at least one byte, so a short text needs no counting; a long one is
    // counted only up to the limit, so a huge text costs no more than a long one.
    if text.utf8.count > limits.maxTextLength {
      var characters = 0
      for _ in text {
        characters += 1
        if characters > limits.maxTextLength {
          throw .textTooLong(field: field, limit: limits.maxTextLength)
        }
      }
    }
    guard text.contains(where: { !$0.isWhitespace }) else { throw .emptyText(field: field) }
  }

  /// Checks an id: 1–`maxIDLength` bytes, no control characters.
  public func checkID(_ id: String, field: String) throws(ValidationError) {
    let bytes = id.utf8
    guard !bytes.isEmpty, bytes.count <= limits.maxIDLength else { throw .invalidID(field: field) }
    var copy = id
    let isPlainASCII = copy.withUTF8 { buffer in
      for byte in buffer where byte < 0x20 || byte >= 0x7F { return false }
      return true
    }
    if !isPlainASCII,
      id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
    {
      throw .invalidID(field: field)
    }
  }

  private func checkNumber(_ value: Float, field: String) throws(ValidationError) {
    guard value.isFinite else { throw .nonFinite(field: field) }
  }

  private func checkList(_ count: Int, field: String) throws(ValidationError) {
    guard count <= limits.maxListLength else {
      throw .tooMany(field: field, limit: limits.maxListLength)
    }
  }
}
