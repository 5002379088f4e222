/// Why a WebAssembly plugin call failed by the plugin's fault. The request that made the
/// call is refused with `description`; the instance is discarded.
struct WasmFault: Error, CustomStringConvertible {
  let description: String

  init(_ description: String) { self.description = description }

  /// A pointer or length from the plugin that leaves its linear memory.
  static func outOfBounds(_ what: String) -> WasmFault {
    WasmFault("passed \(what) outside its memory")
  }

  /// The plugin used up its fuel.
  static func outOfFuel(_ fuel: UInt64? = nil) -> WasmFault {
    WasmFault(
      "ran out of its instruction budget\(fuel.map { " (\($0) fuel)" } ?? "") and was stopped")
  }

  /// A trap or other error raised while it ran.
  static func trapped(_ error: any Error, fuel: UInt64) -> WasmFault {
    if let fault = error as? WasmFault {
      return fault.description.hasPrefix("ran out of") ? .outOfFuel(fuel) : fault
    }
    let text = "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
    if text.lowercased().contains("fuel") { return .outOfFuel(fuel) }
    return WasmFault("trapped: \(text)")
  }
}
