import CLatitudePlugin
import Canvas
import Foundation
import Synchronization

/// A native operation's C entry.
typealias NativeOperationFunction =
  @convention(c) (
    UnsafePointer<latitude_host>?, UnsafePointer<latitude_op_request>?,
    UnsafeMutablePointer<latitude_op_result>?
  ) -> Int32

/// A native axis provider's C entry.
typealias NativeProviderFunction =
  @convention(c) (
    UnsafePointer<latitude_host>?, UnsafePointer<CChar>?, UnsafeMutablePointer<Float>?,
    UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?, UnsafeMutablePointer<CChar>?,
    UInt32
  ) -> Int32

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

extension PluginRegistry {
  /// Calls a native operation on the call queue under the time limit, with host-owned
  /// buffers (each output followed by a guard region).
  /// - Throws: `OperationError.timedOut`.
  func callNative(
    _ operation: LoadedPlugin.Operation, function: NativeOperationFunction, abiVersion: UInt32,
    inputs: [[Float]], params: String, axes: [OperationAxis], capacity: Int, dimension: Int
  ) throws(OperationError) -> OperationCallResult {
    let cell = CallCell(
      CallBuffers(
        inputs: inputs, params: params, axes: axes, capacity: capacity, dimension: dimension))
    try withinLimit(plugin: operation.plugin, name: operation.name) { [self] in
      var table = hostTable
      table.abi_version = abiVersion
      cell.value.withLock { Self.call(function, &$0, table) }
    }
    let b = cell.value.withLock { $0 }
    return OperationCallResult(
      status: b.status, error: Self.reason(b.error), outputCount: b.outputCount,
      outputKind: b.outputKind, outputs: Array(b.outputs[..<(capacity * dimension)]),
      negatives: Array(b.negatives[..<capacity]), positives: Array(b.positives[..<capacity]),
      overran: b.overran)
  }

  /// Calls a native axis provider under the time limit.
  /// - Throws: `OperationError.timedOut`.
  func callNative(
    _ provider: LoadedPlugin.AxisProvider, function: NativeProviderFunction, params: String,
    dimension: Int
  ) throws(OperationError) -> AxisCallResult {
    let cell = CallCell(ProviderCall(params: params, dimension: dimension))
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
                function(
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
    return AxisCallResult(
      status: box.status, error: Self.reason(box.error),
      direction: Array(box.direction[..<dimension]), negative: box.negative,
      positive: box.positive,
      overran: !PluginGuard.intact(box.direction[dimension...]) || box.error.last != 0)
  }

  /// Makes the C call. The buffers are moved out of `b` for the call (so each is uniquely
  /// owned while C writes through its pointer) and moved back after.
  private static func call(
    _ run: NativeOperationFunction, _ b: inout CallBuffers, _ host: latitude_host
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
                      withUnsafePointer(to: &request) { run(hostPointer, $0, &result) }
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
  static func take<Element>(_ array: inout [Element]) -> [Element] {
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

  /// Runs `work` on the call queue under the time limit and keeps the timeout count of
  /// `plugin`. A call that overruns keeps running, but its result is never read.
  /// - Throws: `OperationError.timedOut`.
  private func withinLimit(
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

  /// The text a plugin wrote into its error buffer.
  private static func reason(_ error: [CChar]) -> String {
    String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}

/// Buffers of one axis-provider call.
private struct ProviderCall: Sendable {
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
