/// Lays out one call's buffers in a block of the plugin's memory: offsets from the block's
/// start, each aligned to 8 bytes.
private struct GuestLayout {
  private(set) var size = 0

  mutating func reserve(_ bytes: Int) -> UInt32 {
    let at = size
    size += (bytes + 7) & ~7
    return UInt32(at)
  }
}

extension WasmPluginModule {
  /// Bytes of the error buffer handed to a call (the last must stay NUL).
  static let errorBytes = 512

  /// Runs operation `index` in a fresh instance: the host allocates one block in the
  /// plugin's memory, writes the request, the result struct, the inputs, params and axes into
  /// it (every output buffer followed by a guard region), calls the operation, and reads the
  /// results back from the offsets it chose, not from pointers the plugin may have changed.
  /// - Throws: `WasmFault` when the plugin traps, runs out of fuel, or faults in a host call.
  func runOperation(
    index: UInt32, inputs: [[Float]], params: String, axes: [OperationAxis], capacity: Int,
    seed: UInt32
  ) throws(WasmFault) -> OperationCallResult {
    let instance = try sandbox()
    let n = dimension
    let paramBytes = Array(params.utf8) + [0]
    let idBytes = axes.map { Array($0.id.utf8) + [0] }
    var layout = GuestLayout()
    let request = layout.reserve(20)
    let result = layout.reserve(32)
    let axisArray = layout.reserve(16 * axes.count)
    let inputsAt = layout.reserve(inputs.count * n * 4)
    let directionsAt = layout.reserve(axes.count * n * 4)
    let outputsAt = layout.reserve((capacity * n + PluginGuard.floats) * 4)
    let negativesAt = layout.reserve((capacity + 4) * 4)
    let positivesAt = layout.reserve((capacity + 4) * 4)
    let errorAt = layout.reserve(Self.errorBytes)
    let paramsAt = layout.reserve(paramBytes.count)
    let idsAt = idBytes.map { layout.reserve($0.count) }
    let base = try allocate(layout.size, in: instance)
    let memory = instance.memory
    let what = "the call's buffers"
    try memory.write(
      words: [
        base + inputsAt, UInt32(inputs.count), base + paramsAt, base + axisArray,
        UInt32(axes.count),
      ], at: base + request, what)
    try memory.write(
      words: [
        base + outputsAt, UInt32(capacity), 0, 0, base + negativesAt, base + positivesAt,
        base + errorAt, UInt32(Self.errorBytes - 1),
      ], at: base + result, what)
    for (i, axis) in axes.enumerated() {
      try memory.write(
        words: [
          base + idsAt[i], base + directionsAt + UInt32(i * n * 4),
          axis.negativeMean.bitPattern, axis.positiveMean.bitPattern,
        ], at: base + axisArray + UInt32(16 * i), what)
      try memory.write(bytes: idBytes[i], at: base + idsAt[i], what)
    }
    try memory.write(inputs.flatMap { $0 }, at: base + inputsAt, what)
    try memory.write(axes.flatMap(\.direction), at: base + directionsAt, what)
    try memory.write(
      [Float](repeating: 0, count: capacity * n) + PluginGuard.region(count: PluginGuard.floats),
      at: base + outputsAt, what)
    let calibrationBuffer =
      [Float](repeating: 0, count: capacity) + PluginGuard.region(count: 4)
    try memory.write(calibrationBuffer, at: base + negativesAt, what)
    try memory.write(calibrationBuffer, at: base + positivesAt, what)
    try memory.write(
      bytes: [UInt8](repeating: 0, count: Self.errorBytes), at: base + errorAt, what)
    try memory.write(bytes: paramBytes, at: base + paramsAt, what)

    let status = try instance.call(
      "latitude_wasm_run", [index, base + request, base + result, seed])
    let written = try memory.words(at: base + result + 8, count: 2, what)
    let outputs = try memory.floats(
      at: base + outputsAt, count: capacity * n + PluginGuard.floats, what)
    let negatives = try memory.floats(at: base + negativesAt, count: capacity + 4, what)
    let positives = try memory.floats(at: base + positivesAt, count: capacity + 4, what)
    let error = try memory.bytes(at: base + errorAt, count: Self.errorBytes, what)
    return OperationCallResult(
      status: Int32(bitPattern: status.first ?? UInt32.max), error: Self.text(error),
      outputCount: written[0], outputKind: written[1], outputs: Array(outputs[..<(capacity * n)]),
      negatives: Array(negatives[..<capacity]), positives: Array(positives[..<capacity]),
      overran: !PluginGuard.intact(outputs[(capacity * n)...])
        || !PluginGuard.intact(negatives[capacity...])
        || !PluginGuard.intact(positives[capacity...]) || error.last != 0)
  }

  /// Runs axis provider `index` in a fresh instance, laid out like an operation call.
  /// - Throws: `WasmFault` as `runOperation`.
  func runAxisProvider(index: UInt32, params: String, seed: UInt32) throws(WasmFault)
    -> AxisCallResult
  {
    let instance = try sandbox()
    let n = dimension
    let paramBytes = Array(params.utf8) + [0]
    var layout = GuestLayout()
    let directionAt = layout.reserve((n + PluginGuard.floats) * 4)
    let calibrationAt = layout.reserve(8)
    let errorAt = layout.reserve(Self.errorBytes)
    let paramsAt = layout.reserve(paramBytes.count)
    let base = try allocate(layout.size, in: instance)
    let memory = instance.memory
    let what = "the call's buffers"
    try memory.write(
      [Float](repeating: 0, count: n) + PluginGuard.region(count: PluginGuard.floats),
      at: base + directionAt, what)
    try memory.write([0, 0], at: base + calibrationAt, what)
    try memory.write(
      bytes: [UInt8](repeating: 0, count: Self.errorBytes), at: base + errorAt, what)
    try memory.write(bytes: paramBytes, at: base + paramsAt, what)
    let status = try instance.call(
      "latitude_wasm_axis",
      [
        index, base + paramsAt, base + directionAt, base + calibrationAt,
        base + calibrationAt + 4, base + errorAt, UInt32(Self.errorBytes - 1), seed,
      ])
    let direction = try memory.floats(
      at: base + directionAt, count: n + PluginGuard.floats, what)
    let calibration = try memory.floats(at: base + calibrationAt, count: 2, what)
    let error = try memory.bytes(at: base + errorAt, count: Self.errorBytes, what)
    return AxisCallResult(
      status: Int32(bitPattern: status.first ?? UInt32.max), error: Self.text(error),
      direction: Array(direction[..<n]), negative: calibration[0], positive: calibration[1],
      overran: !PluginGuard.intact(direction[n...]) || error.last != 0)
  }

  /// A fresh instance whose plugin has been handed its host table, with instantiation
  /// errors as faults.
  private func sandbox() throws(WasmFault) -> WasmPluginInstance {
    let instance: WasmPluginInstance
    do {
      instance = try WasmPluginInstance(self)
    } catch {
      throw .trapped(error, fuel: limits.fuel)
    }
    guard try instance.call("latitude_wasm_init", [UInt32(dimension)]).first != 0 else {
      throw WasmFault("refused to start (its entry returned NULL)")
    }
    return instance
  }

  /// A block of `size` bytes from the plugin's allocator.
  private func allocate(_ size: Int, in instance: WasmPluginInstance) throws(WasmFault) -> UInt32 {
    guard size < Int(UInt32.max / 2),
      let base = try instance.call("latitude_wasm_alloc", [UInt32(size)]).first, base != 0
    else {
      throw WasmFault(
        "could not allocate the call's \(size) bytes within its memory limit"
          + " (\(limits.memoryPages) pages)")
    }
    let (_, overflow) = base.addingReportingOverflow(UInt32(size))
    guard !overflow else { throw .outOfBounds("an allocation") }
    return base
  }

  /// The NUL-terminated text of an error buffer.
  private static func text(_ bytes: [UInt8]) -> String {
    String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
  }
}
