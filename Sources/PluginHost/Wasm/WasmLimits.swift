@_spi(Fuzzing) import WasmKit

/// The sandbox of one WebAssembly plugin call. Every limit is enforced by the host: the
/// interpreter meters fuel (about one unit per executed instruction; host functions charge
/// for the work they do), refuses memory growth past `memoryPages`, and the host functions
/// refuse encodes and log lines past their budgets. A manifest may lower these, never raise
/// them.
public struct WasmLimits: Sendable, Equatable {
  /// Linear memory, in 64 KiB pages (the module's initial memory included).
  public var memoryPages: Int
  /// Fuel for one call, instantiation included.
  public var fuel: UInt64
  /// Texts one call may encode through `host->encode`.
  public var encodeTexts: Int
  /// Log lines one call may write (further lines are dropped).
  public var logLines: Int

  /// The server's defaults: 16 MiB, 500 M fuel (well under a second in a release build),
  /// 64 encodes, 16 log lines per call.
  public init(
    memoryPages: Int = 256, fuel: UInt64 = 500_000_000, encodeTexts: Int = 64, logLines: Int = 16
  ) {
    self.memoryPages = memoryPages
    self.fuel = fuel
    self.encodeTexts = encodeTexts
    self.logLines = logLines
  }

  /// These limits, lowered where `manifest` asks for less.
  func lowered(by manifest: WasmManifest.Limits?) -> WasmLimits {
    guard let manifest else { return self }
    var limits = self
    if let pages = manifest.memoryPages { limits.memoryPages = min(limits.memoryPages, pages) }
    if let fuel = manifest.fuel { limits.fuel = min(limits.fuel, fuel) }
    return limits
  }

  /// Bytes of linear memory allowed.
  var memoryBytes: Int { memoryPages * 65_536 }
}

/// Refuses memory growth past the plugin's limit (memory.grow then returns -1 to the
/// plugin, as on a machine that is out of memory) and caps tables.
final class WasmMemoryLimiter: ResourceLimiter {
  let maxBytes: Int
  init(maxBytes: Int) { self.maxBytes = maxBytes }
  func limitMemoryGrowth(to desired: Int) throws -> Bool { desired <= maxBytes }
  func limitTableGrowth(to desired: Int) throws -> Bool { desired <= 65_536 }
}
