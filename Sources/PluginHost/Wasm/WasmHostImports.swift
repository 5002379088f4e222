import Latent
import LatentMath
import WasmKit

/// What the host functions of one WebAssembly instance reach: its memory (set once the
/// instance exists), the call's budgets, and the registry's encoder and logger.
final class WasmCallState {
  var memory: GuestMemory?
  var encodesLeft: Int
  var logLinesLeft: Int
  let context: HostContext
  let plugin: String

  init(context: HostContext, limits: WasmLimits, plugin: String) {
    self.context = context
    encodesLeft = limits.encodeTexts
    logLinesLeft = limits.logLines
    self.plugin = plugin
  }

  /// The instance's memory (a host function called before instantiation finished has none).
  var guest: GuestMemory {
    get throws(WasmFault) {
      guard let memory else { throw WasmFault("called the host before it was ready") }
      return memory
    }
  }
}

/// The host functions a WebAssembly plugin imports: the native table's functions
/// (`latitude` module), each reading its arguments out of the plugin's memory through
/// `GuestMemory` and writing results back the same way; and the three stdio functions
/// wasi-libc's printf family links against, which always fail (`EBADF`), plus `proc_exit`,
/// which stops the call. Nothing else is offered: no clock, no entropy, no files.
///
/// Each function charges fuel for the work it does on the plugin's behalf, so looping on a
/// host function costs what looping on the work itself would.
enum WasmHostImports {
  /// The imports a plugin may name, by module and name.
  static let allowed: [String: Set<String>] = [
    "latitude": ["encode", "log", "dot", "normalize", "slerp", "move", "principal_components"],
    "wasi_snapshot_preview1": ["fd_write", "fd_close", "fd_seek", "proc_exit"],
  ]

  /// Fuel charged per text encoded (an encode costs about as much as a million instructions).
  static let fuelPerEncode: UInt64 = 1_000_000

  static func imports(store: Store, state: WasmCallState, dimension: Int) -> Imports {
    var imports = Imports()
    func define(
      _ name: String, _ parameters: [ValueType], _ results: [ValueType] = [],
      _ body: @escaping (borrowing Caller, [Value]) throws -> [Value]
    ) {
      imports.define(
        module: "latitude", name: name,
        Function(store: store, parameters: parameters, results: results, body: body))
    }
    define("dot", [.i32, .i32, .i32], [.f32]) { caller, args in
      let n = try count(args[2], max: HostLimits.maxDimension)
      try charge(caller, UInt64(n))
      let memory = try state.guest
      let a = try memory.floats(at: word(args[0]), count: n, "a vector to host.dot")
      let b = try memory.floats(at: word(args[1]), count: n, "a vector to host.dot")
      let sum = a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in HostMath.dot(a.baseAddress!, b.baseAddress!, n) }
      }
      return [.f32(sum.bitPattern)]
    }
    define("normalize", [.i32, .i32]) { caller, args in
      let n = try count(args[1], max: HostLimits.maxDimension)
      try charge(caller, UInt64(n))
      let memory = try state.guest
      var v = try memory.floats(at: word(args[0]), count: n, "a vector to host.normalize")
      v.withUnsafeMutableBufferPointer { HostMath.normalize($0.baseAddress!, n) }
      try memory.write(v, at: word(args[0]), "a vector to host.normalize")
      return []
    }
    define("slerp", [.i32, .i32, .f32, .i32, .i32]) { caller, args in
      let n = try count(args[4], max: HostLimits.maxDimension)
      try charge(caller, UInt64(4 * n))
      let memory = try state.guest
      let a = try memory.floats(at: word(args[0]), count: n, "a vector to host.slerp")
      let b = try memory.floats(at: word(args[1]), count: n, "a vector to host.slerp")
      guard case .f32(let bits) = args[2] else { throw WasmFault("host.slerp needs a float t") }
      let result = LatentGeometry.slerp(a, b, t: Float(bitPattern: bits))
      try memory.write(result, at: word(args[3]), "the output of host.slerp")
      return []
    }
    define("move", [.i32, .i32, .i32, .i32, .i32, .i32], [.i32]) { caller, args in
      let k = try word(args[3])
      let n = try word(args[5])
      guard k > 0, k <= HostLimits.maxAxes, n > 0, n <= HostLimits.maxDimension else {
        return [.i32(UInt32(bitPattern: -1))]
      }
      try charge(caller, UInt64(k) * UInt64(n) * 4)
      let memory = try state.guest
      let point = try memory.floats(at: word(args[0]), count: Int(n), "a latent to host.move")
      let flat = try memory.floats(
        at: word(args[1]), count: Int(k * n), "directions to host.move")
      let targets = try memory.floats(at: word(args[2]), count: Int(k), "targets to host.move")
      let axes = (0..<Int(k)).map { Array(flat[$0 * Int(n)..<($0 + 1) * Int(n)]) }
      let moved = LatentGeometry.move(point, onto: axes, targets: targets)
      guard moved.allSatisfy(\.isFinite) else { return [.i32(UInt32(bitPattern: -1))] }
      try memory.write(moved, at: word(args[4]), "the output of host.move")
      return [.i32(0)]
    }
    define("principal_components", [.i32, .i32, .i32, .i32, .i32], [.i32]) { caller, args in
      let (count, k, n) = try (word(args[1]), word(args[2]), word(args[4]))
      guard count > 1, count <= HostLimits.maxPoints, k > 0, k <= n,
        n <= HostLimits.maxDimension
      else { return [.i32(UInt32(bitPattern: -1))] }
      try charge(caller, UInt64(count) * UInt64(n) * UInt64(k) * 4)
      let memory = try state.guest
      let flat = try memory.floats(
        at: word(args[0]), count: Int(count) * Int(n), "points to host.principal_components")
      let rows = (0..<Int(count)).map { Array(flat[$0 * Int(n)..<($0 + 1) * Int(n)]) }
      guard let pca = PrincipalComponents(points: rows, count: Int(k)),
        pca.components.count == Int(k)
      else { return [.i32(UInt32(bitPattern: -1))] }
      try memory.write(
        pca.components.flatMap { $0 }, at: word(args[3]),
        "the output of host.principal_components")
      return [.i32(0)]
    }
    define("encode", [.i32, .i32, .i32], [.i32]) { caller, args in
      let count = try word(args[1])
      guard count <= HostLimits.maxTexts, Int(count) <= state.encodesLeft else {
        return [.i32(UInt32(bitPattern: -1))]
      }
      state.encodesLeft -= Int(count)
      try charge(caller, UInt64(count) * fuelPerEncode)
      let memory = try state.guest
      let pointers = try memory.words(
        at: word(args[0]), count: Int(count), "the text array to host.encode")
      let texts = try pointers.map { pointer throws(WasmFault) in
        try memory.string(at: pointer, limit: 16_384, "a text to host.encode")
      }
      guard let encoder = state.context.encoder else { return [.i32(UInt32(bitPattern: -1))] }
      let vectors = encoder.encode(texts)
      guard vectors.allSatisfy({ $0.count == dimension }) else {
        return [.i32(UInt32(bitPattern: -1))]
      }
      try memory.write(vectors.flatMap { $0 }, at: word(args[2]), "the output of host.encode")
      return [.i32(0)]
    }
    define("log", [.i32, .i32]) { caller, args in
      try charge(caller, 1_000)
      guard state.logLinesLeft > 0 else { return [] }
      state.logLinesLeft -= 1
      let text = try state.guest.string(at: word(args[1]), limit: 1_024, "a log message")
      state.context.log(level: Int32(bitPattern: try word(args[0])), "[\(state.plugin)] \(text)")
      return []
    }
    defineStdio(&imports, store: store)
    return imports
  }

  /// wasi-libc's stdio links against these; every descriptor is bad, so printf to a stream
  /// fails quietly and snprintf (which never calls them) works. `exit()` stops the call.
  private static func defineStdio(_ imports: inout Imports, store: Store) {
    let badDescriptor: [Value] = [.i32(8)]  // EBADF
    let wasi = "wasi_snapshot_preview1"
    let stubs: [(name: String, parameters: [ValueType])] = [
      ("fd_write", [.i32, .i32, .i32, .i32]), ("fd_close", [.i32]),
      ("fd_seek", [.i32, .i64, .i32, .i32]),
    ]
    for stub in stubs {
      imports.define(
        module: wasi, name: stub.name,
        Function(store: store, parameters: stub.parameters, results: [.i32]) { _, _ in
          badDescriptor
        })
    }
    imports.define(
      module: wasi, name: "proc_exit",
      Function(store: store, parameters: [.i32]) { _, args in
        throw WasmFault("called exit(\(Int32(bitPattern: (try? word(args[0])) ?? 0)))")
      })
  }

  /// An i32 argument.
  static func word(_ value: Value) throws(WasmFault) -> UInt32 {
    guard case .i32(let word) = value else { throw WasmFault("passed a non-i32 argument") }
    return word
  }

  /// An i32 count, at most `max`.
  private static func count(_ value: Value, max: UInt32) throws(WasmFault) -> Int {
    let n = try word(value)
    guard n <= max else { throw WasmFault("passed a count of \(n) (the most is \(max))") }
    return Int(n)
  }

  /// Takes `fuel` from the caller's budget for work the host does on its behalf.
  private static func charge(_ caller: borrowing Caller, _ fuel: UInt64) throws(WasmFault) {
    guard let left = caller.store.fuel?.remaining else { return }
    guard left >= fuel else { throw .outOfFuel() }
    caller.store.fuel = Fuel(remaining: left - fuel)
  }
}
