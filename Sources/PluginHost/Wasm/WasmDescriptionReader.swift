import CLatitudePlugin

/// Reads a plugin's description (`latitude_plugin` and the arrays it points to) out of a
/// WebAssembly instance's memory, with the wasm32 layout of `latitude_plugin.h` (every
/// field 4 bytes; `latitude_wasm.c` asserts these sizes at compile time). Counts are bounded
/// before anything is read through them, and every string must end inside the memory.
struct WasmDescriptionReader {
  let memory: GuestMemory

  /// Bytes of `latitude_plugin`, `latitude_operation` and `latitude_axis_provider` on wasm32.
  static let pluginSize = 28
  static let operationSize = 40
  static let providerSize = 16

  func plugin(at pointer: UInt32) throws -> PluginDescription {
    let fields = try memory.words(at: pointer, count: Self.pluginSize / 4, "its description")
    guard fields[0] == LATITUDE_PLUGIN_ABI_VERSION else {
      throw WasmFault(
        "describes ABI \(fields[0]); a WebAssembly plugin must speak ABI \(LATITUDE_PLUGIN_ABI_VERSION)"
      )
    }
    guard fields[4] <= PluginDescription.maxEntries, fields[6] <= PluginDescription.maxEntries
    else {
      throw WasmFault("describes more than \(PluginDescription.maxEntries) operations or providers")
    }
    let operations = try (0..<fields[4]).map { index throws in
      let at = try offset(fields[3], index, Self.operationSize)
      let c = try memory.words(at: at, count: Self.operationSize / 4, "an operation")
      return PluginDescription.Operation(
        name: try string(c[0], limit: 65), description: try string(c[1], limit: 4_096),
        schema: try string(c[2], limit: 65_536), minInputs: c[3], maxInputs: c[4],
        hasEntry: c[5] != 0, maxOutputs: c[6], maxOutputsPerInput: c[7], effect: c[8],
        origin: c[9])
    }
    let providers = try (0..<fields[6]).map { index throws in
      let at = try offset(fields[5], index, Self.providerSize)
      let c = try memory.words(at: at, count: Self.providerSize / 4, "an axis provider")
      return PluginDescription.AxisProvider(
        name: try string(c[0], limit: 65), description: try string(c[1], limit: 4_096),
        schema: try string(c[2], limit: 65_536), hasEntry: c[3] != 0)
    }
    return PluginDescription(
      name: try string(fields[1], limit: 65), version: try string(fields[2], limit: 64),
      operations: operations, axisProviders: providers)
  }

  private func offset(_ base: UInt32, _ index: UInt32, _ size: Int) throws(WasmFault) -> UInt32 {
    let (value, overflow) = base.addingReportingOverflow(index * UInt32(size))
    guard base != 0, !overflow else { throw .outOfBounds("an array in its description") }
    return value
  }

  /// A NULL pointer reads as nil (the shared checks name what is missing).
  private func string(_ pointer: UInt32, limit: Int) throws(WasmFault) -> String? {
    pointer == 0 ? nil : try memory.string(at: pointer, limit: limit, "a description string")
  }
}
