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
    case .disabled(let plugin): "plugin \(plugin) is disabled after repeated timeouts"
    case .badInputs(let detail): detail
    case .badParams(let detail): "bad params: \(detail)"
    case .failed(let operation, let reason): "\(operation) failed: \(reason)"
    case .timedOut(let operation): "\(operation) overran its time limit; its result was discarded"
    }
  }
}

/// A value shared by a call's closure and its caller: the closure (on the call queue)
/// fills it under the lock; the caller reads it only after the call signalled completion.
/// A call that overruns its time limit keeps it alive until it returns; nobody reads it.
private final class CallCell<Value: Sendable>: Sendable {
  let value: Mutex<Value>
  init(_ value: Value) { self.value = Mutex(value) }
}

/// Buffers of one call. Every output buffer is followed by a guard region filled with a
/// sentinel: a plugin that writes past the capacity it was given is caught after the call
/// and its result refused.
private struct CallBuffers {
  var inputs: [Float]
  var outputs: [Float]
  var negatives: [Float]
  var positives: [Float]
  var error: [CChar]
  var params: [CChar]
  var ids: [[CChar]]
  var directions: [[Float]]
  var status: Int32 = -1
  var outputCount: UInt32 = 0
  var outputKind: UInt32 = 0
  let capacity: Int
  let dimension: Int
  let axisCalibrations: [(Float, Float)]

  init(inputs: [[Float]], params: String, axes: [OperationAxis], capacity: Int, dimension: Int) {
    self.capacity = capacity
    self.dimension = dimension
    self.inputs = inputs.flatMap { $0 }
    outputs = [Float](repeating: 0, count: capacity * dimension)
    outputs += PluginGuard.region(count: PluginGuard.floats)
    negatives = [Float](repeating: 0, count: capacity) + PluginGuard.region(count: 4)
    positives = [Float](repeating: 0, count: capacity) + PluginGuard.region(count: 4)
    error = [CChar](repeating: 0, count: 512)
    self.params = Array(params.utf8CString)
    ids = axes.map { Array($0.id.utf8CString) }
    directions = axes.map(\.direction)
    axisCalibrations = axes.map { ($0.negativeMean, $0.positiveMean) }
  }

  /// Whether the plugin wrote past any buffer it was given.
  var overran: Bool {
    !PluginGuard.intact(outputs[(capacity * dimension)...])
      || !PluginGuard.intact(negatives[capacity...])
      || !PluginGuard.intact(positives[capacity...]) || error.last != 0
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
  /// Runs an operation on `inputs` (unit latents) with `params`, under the time limit.
  /// Output buffers are sized from the operation's declared bound for this many inputs;
  /// a result over that bound, of an unknown kind, or written past the buffers is refused.
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
    let cell = CallCell(
      CallBuffers(
        inputs: inputs, params: Self.text(params), axes: axes, capacity: capacity,
        dimension: dimension))
    try withinLimit(plugin: operation.plugin, name: name) { [self] in
      var table = hostTable
      table.abi_version = operation.abiVersion
      cell.value.withLock { Self.call(operation, &$0, table) }
    }
    let buffers = cell.value.withLock { $0 }
    if buffers.overran {
      recordMisbehaviour(plugin: operation.plugin, name: name)
      throw .failed(operation: name, reason: "wrote past the buffers it was given; result refused")
    }
    guard buffers.status == 0 else {
      throw .failed(operation: name, reason: Self.reason(buffers.error, status: buffers.status))
    }
    let count = Int(buffers.outputCount)
    guard count <= capacity else {
      recordMisbehaviour(plugin: operation.plugin, name: name)
      throw .failed(
        operation: name,
        reason: "returned \(count) outputs, over its declared bound of \(capacity)")
    }
    guard buffers.outputKind <= 1 else {
      throw .failed(operation: name, reason: "returned an unknown output kind")
    }
    let vectors = (0..<count).map { Array(buffers.outputs[$0 * dimension..<($0 + 1) * dimension]) }
    guard count > 0, vectors.allSatisfy({ $0.allSatisfy(\.isFinite) && VectorMath.norm($0) > 1e-6 })
    else { throw .failed(operation: name, reason: "returned no usable vectors") }
    let kind: OperationOutput.Kind = buffers.outputKind == 1 ? .axes : .nodes
    if operation.effect == .updatesInputs, kind != .nodes || count != inputs.count {
      throw .failed(
        operation: name,
        reason:
          "updates its inputs but returned \(count) \(kind) outputs for \(inputs.count) inputs")
    }
    let calibrations = (0..<count).map { (buffers.negatives[$0], buffers.positives[$0]) }
    if kind == .axes {
      guard calibrations.allSatisfy({ AxisCalibration.isUsable(negative: $0.0, positive: $0.1) })
      else { throw .failed(operation: name, reason: "returned an axis with no usable calibration") }
    }
    return OperationOutput(
      kind: kind, vectors: vectors.map { LatentGeometry.normalized($0) },
      calibrations: calibrations)
  }

  /// Makes the C call. The buffers are moved out of `b` for the call (so each is uniquely
  /// owned while C writes through its pointer) and moved back after.
  private static func call(
    _ operation: NativePlugin.Operation, _ b: inout CallBuffers, _ host: latitude_host
  ) {
    var host = host
    var outputs = take(&b.outputs)
    var negatives = take(&b.negatives)
    var positives = take(&b.positives)
    var error = take(&b.error)
    var status: Int32 = -1
    var result = latitude_op_result()
    b.inputs.withUnsafeBufferPointer { inputs in
      b.params.withUnsafeBufferPointer { params in
        withAxes(b.ids, b.directions, b.axisCalibrations, index: 0, axes: []) { axes in
          axes.withUnsafeBufferPointer { axisPointer in
            var request = latitude_op_request(
              inputs: inputs.baseAddress, input_count: UInt32(inputs.count / Int(host.dimension)),
              params_json: params.baseAddress, axes: axisPointer.baseAddress,
              axis_count: UInt32(axes.count))
            outputs.withUnsafeMutableBufferPointer { outputs in
              negatives.withUnsafeMutableBufferPointer { negatives in
                positives.withUnsafeMutableBufferPointer { positives in
                  error.withUnsafeMutableBufferPointer { error in
                    result = latitude_op_result(
                      outputs: outputs.baseAddress, max_outputs: UInt32(b.capacity),
                      output_count: 0, output_kind: 0, negative_means: negatives.baseAddress,
                      positive_means: positives.baseAddress, error: error.baseAddress,
                      error_capacity: UInt32(error.count - 1))
                    status = withUnsafePointer(to: &host) { hostPointer in
                      withUnsafePointer(to: &request) { operation.run(hostPointer, $0, &result) }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    b.status = status
    b.outputCount = result.output_count
    b.outputKind = result.output_kind
    (b.outputs, b.negatives, b.positives, b.error) = (outputs, negatives, positives, error)
  }

  /// Moves an array out of its place, leaving an empty one (no copy on the next write).
  fileprivate static func take<Element>(_ array: inout [Element]) -> [Element] {
    var taken: [Element] = []
    swap(&taken, &array)
    return taken
  }

  /// Builds the C axis array with every id and direction pinned for the call.
  private static func withAxes(
    _ ids: [[CChar]], _ directions: [[Float]], _ calibrations: [(Float, Float)], index: Int,
    axes: [latitude_axis], _ body: ([latitude_axis]) -> Void
  ) {
    guard index < ids.count else { return body(axes) }
    ids[index].withUnsafeBufferPointer { id in
      directions[index].withUnsafeBufferPointer { direction in
        let (negative, positive) = calibrations[index]
        withAxes(
          ids, directions, calibrations, index: index + 1,
          axes: axes + [
            latitude_axis(
              id: id.baseAddress, direction: direction.baseAddress, negative_mean: negative,
              positive_mean: positive)
          ], body)
      }
    }
  }
}

extension PluginRegistry {
  /// Calls an axis provider: params in, a unit direction and its calibration out, under the
  /// same time limit and disabling rules as operations.
  /// - Throws: `OperationError` with the reason the axis.create is refused.
  public func axis(
    from providerName: String, params: JSONValue, dimension: Int = 384
  ) throws(OperationError) -> (direction: [Float], negativeMean: Float, positiveMean: Float) {
    guard let provider = axisProvider(providerName) else { throw .unknownOperation(providerName) }
    guard !disabled.contains(provider.plugin) else { throw .disabled(plugin: provider.plugin) }
    if let problem = ParamsValidator.problem(params, provider.paramsSchema) {
      throw .badParams(problem)
    }
    let cell = CallCell(ProviderCall(params: Self.text(params), dimension: dimension))
    try withinLimit(plugin: provider.plugin, name: provider.name) { [self] in
      var table = hostTable
      cell.value.withLock { box in
        var direction = Self.take(&box.direction)
        var error = Self.take(&box.error)
        var (negative, positive): (Float, Float) = (0, 0)
        box.status = box.params.withUnsafeBufferPointer { params in
          direction.withUnsafeMutableBufferPointer { direction in
            error.withUnsafeMutableBufferPointer { error in
              withUnsafePointer(to: &table) {
                provider.direction(
                  $0, params.baseAddress, direction.baseAddress, &negative, &positive,
                  error.baseAddress, UInt32(error.count - 1))
              }
            }
          }
        }
        (box.direction, box.error, box.negative, box.positive) = (
          direction, error, negative, positive
        )
      }
    }
    let box = cell.value.withLock { $0 }
    guard box.status == 0 else {
      throw .failed(operation: provider.name, reason: Self.reason(box.error, status: box.status))
    }
    guard PluginGuard.intact(box.direction[dimension...]), box.error.last == 0 else {
      recordMisbehaviour(plugin: provider.plugin, name: provider.name)
      throw .failed(
        operation: provider.name, reason: "wrote past the buffers it was given; result refused")
    }
    let direction = Array(box.direction[..<dimension])
    let norm = VectorMath.norm(direction)
    guard norm > 1e-6, norm.isFinite, direction.allSatisfy(\.isFinite),
      AxisCalibration.isUsable(negative: box.negative, positive: box.positive)
    else { throw .failed(operation: provider.name, reason: "returned no usable direction") }
    return (direction.map { $0 / norm }, box.negative, box.positive)
  }
}

extension PluginRegistry {
  /// Runs `work` on the call queue under the time limit and keeps the timeout count of
  /// `plugin`. A call that overruns keeps running, but its result is never read.
  /// - Throws: `OperationError.timedOut`.
  fileprivate func withinLimit(
    plugin: String, name: String, _ work: @escaping @Sendable () -> Void
  ) throws(OperationError) {
    let done = DispatchSemaphore(value: 0)
    queue.async {
      work()
      done.signal()
    }
    guard done.wait(timeout: .now() + timeout.seconds) == .success else {
      recordTimeout(plugin: plugin, name: name)
      throw .timedOut(operation: name)
    }
    recordSuccess(plugin: plugin)
  }

  /// Params as the JSON text a plugin reads.
  fileprivate static func text(_ params: JSONValue) -> String {
    String(decoding: (try? JSONEncoder().encode(params)) ?? Data("{}".utf8), as: UTF8.self)
  }

  /// The reason a plugin wrote into its error buffer, or its status code.
  fileprivate static func reason(_ error: [CChar], status: Int32) -> String {
    let text = String(
      decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return text.isEmpty ? "error \(status)" : text
  }
}

/// Buffers of one axis-provider call.
private struct ProviderCall {
  var params: [CChar]
  var direction: [Float]
  var error = [CChar](repeating: 0, count: 512)
  var negative: Float = 0
  var positive: Float = 0
  var status: Int32 = -1
  init(params: String, dimension: Int) {
    self.params = Array(params.utf8CString)
    direction =
      [Float](repeating: 0, count: dimension) + PluginGuard.region(count: PluginGuard.floats)
  }
}
