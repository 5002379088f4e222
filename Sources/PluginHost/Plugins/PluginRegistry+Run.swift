import CLatitudePlugin
import Canvas
import Foundation
import Latent
import Synchronization

/// An axis passed to an operation.
public struct OperationAxis: Sendable {
  /// Its id.
  public var id: String
  /// Unit direction.
  public var direction: [Float]
  /// Raw projections calibrating to −1 and +1.
  public var negativeMean: Float
  public var positiveMean: Float

  /// Makes an operation axis.
  public init(id: String, direction: [Float], negativeMean: Float, positiveMean: Float) {
    self.id = id
    self.direction = direction
    self.negativeMean = negativeMean
    self.positiveMean = positiveMean
  }
}

/// What an operation produced.
public struct OperationOutput: Sendable {
  /// New node latents, or axis directions.
  public enum Kind: Sendable, Equatable { case nodes, axes }
  /// Which.
  public var kind: Kind
  /// Unit vectors.
  public var vectors: [[Float]]
  /// For axes: the raw projections calibrating to −1 and +1.
  public var calibrations: [(negative: Float, positive: Float)]

  /// Makes an output (the registry does, from what a plugin wrote; tests do for fakes).
  public init(
    kind: Kind, vectors: [[Float]], calibrations: [(negative: Float, positive: Float)] = []
  ) {
    self.kind = kind
    self.vectors = vectors
    self.calibrations = calibrations
  }
}

/// Why an operation call failed; the request gets this as its reason.
public enum OperationError: Error, Equatable, CustomStringConvertible {
  case unknownOperation(String)
  case disabled(plugin: String)
  case badInputs(String)
  case badParams(String)
  case failed(operation: String, reason: String)
  case timedOut(operation: String)

  public var description: String {
    switch self {
    case .unknownOperation(let name): "no operation '\(name)' is loaded"
    case .disabled(let plugin): "plugin \(plugin) is disabled after repeated failures"
    case .badInputs(let detail): detail
    case .badParams(let detail): "bad params: \(detail)"
    case .failed(let operation, let reason): "\(operation) failed: \(reason)"
    case .timedOut(let operation): "\(operation) overran its time limit; its result was discarded"
    }
  }
}

/// The sentinel written after host buffers handed to plugins (a NaN payload no arithmetic
/// produces), and the check that it survived the call.
enum PluginGuard {
  /// Floats of guard after an output buffer: one whole latent, so a plugin that writes one
  /// vector too many is caught.
  static let floats = 384
  static let pattern: UInt32 = 0x7FC0_1A7D

  static func region(count: Int) -> [Float] {
    [Float](repeating: Float(bitPattern: pattern), count: count)
  }

  static func intact(_ region: ArraySlice<Float>) -> Bool {
    region.allSatisfy { $0.bitPattern == pattern }
  }
}

extension PluginRegistry {
  /// Runs an operation on `inputs` (unit latents) with `params`: a native one under the time
  /// limit, a WebAssembly one in its sandbox. Output buffers are sized from the operation's
  /// declared bound for this many inputs; a result over that bound, of an unknown kind, or
  /// written past the buffers is refused.
  /// - Throws: `OperationError` with the reason the request is refused.
  public func run(
    _ name: String, inputs: [[Float]], params: JSONValue, axes: [OperationAxis],
    dimension: Int = 384
  ) throws(OperationError) -> OperationOutput {
    guard let operation = operation(name) else { throw .unknownOperation(name) }
    guard !disabled.contains(operation.plugin) else { throw .disabled(plugin: operation.plugin) }
    guard operation.inputs.contains(inputs.count) else {
      throw .badInputs(
        "\(name) takes \(operation.inputs.lowerBound)–\(operation.inputs.upperBound) nodes, not \(inputs.count)"
      )
    }
    guard inputs.allSatisfy({ $0.count == dimension && $0.allSatisfy(\.isFinite) }),
      axes.allSatisfy({ $0.direction.count == dimension })
    else {
      throw .badInputs("inputs and axes must be finite \(dimension)-d vectors")
    }
    guard case .object = params else { throw .badParams("params must be a JSON object") }
    if let problem = ParamsValidator.problem(params, operation.paramsSchema) {
      throw .badParams(problem)
    }
    let capacity = operation.outputCapacity(inputCount: inputs.count)
    let text = Self.text(params)
    let raw: OperationCallResult
    /// A result that broke its bounds (see `brokeBounds`).
    let misbehaved: (String) -> OperationError
    /// A result that is unusable: refused (and, for WebAssembly, counted as a fault).
    let garbage: (String) -> OperationError
    switch operation.entry {
    case .native(let function, let abiVersion):
      raw = try callNative(
        operation, function: function, abiVersion: abiVersion, inputs: inputs, params: text,
        axes: axes, capacity: capacity, dimension: dimension)
      misbehaved = { [self] reason in
        brokeBounds(plugin: operation.plugin, name: name, native: true, reason: reason)
      }
      garbage = { .failed(operation: name, reason: $0) }
    case .webAssembly(let module, let index):
      do {
        raw = try module.runOperation(
          index: index, inputs: inputs, params: text, axes: axes, capacity: capacity,
          seed: Self.seed(name, text, inputs))
      } catch {
        recordFault(plugin: operation.plugin, name: name, reason: error.description)
        throw .failed(operation: name, reason: error.description)
      }
      misbehaved = { [self] reason in
        brokeBounds(plugin: operation.plugin, name: name, native: false, reason: reason)
      }
      garbage = misbehaved
    }
    if raw.overran { throw misbehaved("wrote past the buffers it was given; result refused") }
    guard raw.status == 0 else {
      recordSuccess(plugin: operation.plugin)
      throw .failed(operation: name, reason: raw.error.isEmpty ? "error \(raw.status)" : raw.error)
    }
    let count = Int(raw.outputCount)
    guard count <= capacity else {
      throw misbehaved("returned \(count) outputs, over its declared bound of \(capacity)")
    }
    guard raw.outputKind <= 1 else { throw garbage("returned an unknown output kind") }
    let vectors = (0..<count).map { Array(raw.outputs[$0 * dimension..<($0 + 1) * dimension]) }
    guard count > 0, vectors.allSatisfy({ $0.allSatisfy(\.isFinite) && VectorMath.norm($0) > 1e-6 })
    else { throw garbage("returned no usable vectors") }
    let kind: OperationOutput.Kind = raw.outputKind == 1 ? .axes : .nodes
    if operation.effect == .updatesInputs, kind != .nodes || count != inputs.count {
      throw garbage(
        "updates its inputs but returned \(count) \(kind) outputs for \(inputs.count) inputs")
    }
    let calibrations = (0..<count).map { (raw.negatives[$0], raw.positives[$0]) }
    if kind == .axes {
      guard calibrations.allSatisfy({ AxisCalibration.isUsable(negative: $0.0, positive: $0.1) })
      else { throw garbage("returned an axis with no usable calibration") }
    }
    recordSuccess(plugin: operation.plugin)
    return OperationOutput(
      kind: kind, vectors: vectors.map { LatentGeometry.normalized($0) },
      calibrations: calibrations)
  }

  /// Calls an axis provider: params in, a unit direction and its calibration out, under the
  /// same limits and disabling rules as operations.
  /// - Throws: `OperationError` with the reason the axis.create is refused.
  public func axis(
    from providerName: String, params: JSONValue, dimension: Int = 384
  ) throws(OperationError) -> (direction: [Float], negativeMean: Float, positiveMean: Float) {
    guard let provider = axisProvider(providerName) else { throw .unknownOperation(providerName) }
    guard !disabled.contains(provider.plugin) else { throw .disabled(plugin: provider.plugin) }
    if let problem = ParamsValidator.problem(params, provider.paramsSchema) {
      throw .badParams(problem)
    }
    let text = Self.text(params)
    let raw: AxisCallResult
    switch provider.entry {
    case .native(let function):
      raw = try callNative(provider, function: function, params: text, dimension: dimension)
    case .webAssembly(let module, let index):
      do {
        raw = try module.runAxisProvider(
          index: index, params: text, seed: Self.seed(providerName, text, []))
      } catch {
        recordFault(plugin: provider.plugin, name: provider.name, reason: error.description)
        throw .failed(operation: provider.name, reason: error.description)
      }
    }
    guard raw.status == 0 else {
      throw .failed(
        operation: provider.name, reason: raw.error.isEmpty ? "error \(raw.status)" : raw.error)
    }
    guard !raw.overran else {
      var native = false
      if case .native = provider.entry { native = true }
      throw brokeBounds(
        plugin: provider.plugin, name: provider.name, native: native,
        reason: "wrote past the buffers it was given; result refused")
    }
    let norm = VectorMath.norm(raw.direction)
    guard norm > 1e-6, norm.isFinite, raw.direction.allSatisfy(\.isFinite),
      AxisCalibration.isUsable(negative: raw.negative, positive: raw.positive)
    else { throw .failed(operation: provider.name, reason: "returned no usable direction") }
    return (raw.direction.map { $0 / norm }, raw.negative, raw.positive)
  }

  /// A result that broke its bounds: a native plugin's memory may be corrupt (disabled at
  /// once); a WebAssembly plugin's sandbox is gone, so it counts as one fault. Returns the
  /// request's error.
  private func brokeBounds(plugin: String, name: String, native: Bool, reason: String)
    -> OperationError
  {
    if native {
      recordMisbehaviour(plugin: plugin, name: name)
    } else {
      recordFault(plugin: plugin, name: name, reason: reason)
    }
    return .failed(operation: name, reason: reason)
  }

  /// Params as the JSON text a plugin reads.
  static func text(_ params: JSONValue) -> String {
    String(decoding: (try? JSONEncoder().encode(params)) ?? Data("{}".utf8), as: UTF8.self)
  }

  /// The seed a WebAssembly call gets: FNV-1a over the operation and its params (bytes) and
  /// its inputs (one word per float),
  /// so the same request always gets the same seed (and, with no other entropy, the same
  /// result).
  static func seed(_ name: String, _ params: String, _ inputs: [[Float]]) -> UInt32 {
    var hash: UInt32 = 2_166_136_261
    for byte in name.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
    for byte in params.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
    for input in inputs {
      for value in input { hash = (hash ^ value.bitPattern) &* 16_777_619 }
    }
    return hash
  }

}
