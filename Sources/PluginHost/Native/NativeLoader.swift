import CLatitudePlugin
import Foundation

/// Loads one native plugin: dlopen, the `latitude_plugin_v3` (or `_v2`) entry called with
/// the host table, and its C structs copied into a `PluginDescription` for the shared
/// checks. Libraries are never dlclose'd: code from the image may still be referenced.
enum NativeLoader {
  static func load(_ path: String, host: latitude_host) throws(PluginLoadError) -> LoadedPlugin {
    guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
      throw .cannotOpen(path: path, reason: String(cString: dlerror()))
    }
    let version: UInt32
    let symbol: UnsafeMutableRawPointer
    if let found = dlsym(handle, "latitude_plugin_v3") {
      (version, symbol) = (3, found)
    } else if let found = dlsym(handle, "latitude_plugin_v2") {
      (version, symbol) = (2, found)
    } else if dlsym(handle, "latitude_plugin_v1") != nil {
      // A version 1 plugin cannot declare its output bound, so the host cannot size it.
      throw .abiMismatch(path: path, version: 1)
    } else {
      throw .missingEntry(path: path)
    }
    let entry = unsafeBitCast(symbol, to: latitude_plugin_entry.self)
    // The table says the version the plugin was built for (older plugins check it).
    var table = host
    table.abi_version = version
    guard let described = withUnsafePointer(to: &table, { entry($0) }) else {
      throw .refusedByPlugin(path: path)
    }
    let plugin = described.pointee
    guard plugin.abi_version == version else {
      throw .abiMismatch(path: path, version: plugin.abi_version)
    }
    // Counts come from the plugin: bounded before anything is read through them.
    guard plugin.operation_count <= PluginDescription.maxEntries,
      plugin.axis_provider_count <= PluginDescription.maxEntries
    else {
      throw .invalid(
        path: path,
        detail: "more than \(PluginDescription.maxEntries) operations or axis providers")
    }
    let operations = (0..<Int(plugin.operation_count)).compactMap {
      operation(plugin.operations, at: $0, version: version)
    }
    let providers = (0..<Int(plugin.axis_provider_count)).compactMap { plugin.axis_providers?[$0] }
    let description = PluginDescription(
      name: plugin.name.map { String(cString: $0) },
      version: plugin.version.map { String(cString: $0) },
      operations: operations.map {
        PluginDescription.Operation(
          name: $0.name.map { String(cString: $0) },
          description: $0.description.map { String(cString: $0) },
          schema: $0.params_schema.map { String(cString: $0) }, minInputs: $0.min_inputs,
          maxInputs: $0.max_inputs, hasEntry: $0.run != nil, maxOutputs: $0.max_outputs,
          maxOutputsPerInput: $0.max_outputs_per_input, effect: $0.effect,
          origin: $0.created_origin)
      },
      axisProviders: providers.map {
        PluginDescription.AxisProvider(
          name: $0.name.map { String(cString: $0) },
          description: $0.description.map { String(cString: $0) },
          schema: $0.params_schema.map { String(cString: $0) }, hasEntry: $0.direction != nil)
      })
    return try description.checked(
      path: path, runtime: .native,
      operationEntry: { index in operations[index].run.map { .native($0, abiVersion: version) } },
      providerEntry: { index in providers[index].direction.map { .native($0) } })
  }

  /// Operation `index` of a plugin's array, read with the layout of its ABI version (a
  /// version 2 operation has no effect fields: it creates nodes of origin "derived").
  private static func operation(
    _ base: UnsafePointer<latitude_operation>?, at index: Int, version: UInt32
  ) -> latitude_operation? {
    guard let base else { return nil }
    guard version == 2 else { return base[index] }
    let old = UnsafeRawPointer(base).assumingMemoryBound(to: latitude_operation_v2.self)[index]
    return latitude_operation(
      name: old.name, description: old.description, params_schema: old.params_schema,
      min_inputs: old.min_inputs, max_inputs: old.max_inputs, run: old.run,
      max_outputs: old.max_outputs, max_outputs_per_input: old.max_outputs_per_input,
      effect: UInt32(LATITUDE_EFFECT_CREATE_NODES), created_origin: UInt32(LATITUDE_ORIGIN_DERIVED))
  }
}
