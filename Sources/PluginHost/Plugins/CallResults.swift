/// What one operation call wrote, native or WebAssembly, before the registry's checks.
struct OperationCallResult {
  /// The plugin's return value (0: success).
  var status: Int32 = -1
  /// The reason it wrote, if any.
  var error = ""
  var outputCount: UInt32 = 0
  var outputKind: UInt32 = 0
  /// `capacity × dimension` floats.
  var outputs: [Float] = []
  /// `capacity` floats each.
  var negatives: [Float] = []
  var positives: [Float] = []
  /// Whether it wrote past any buffer it was given.
  var overran = false
}

/// What one axis-provider call wrote, before the registry's checks.
struct AxisCallResult {
  var status: Int32 = -1
  var error = ""
  /// `dimension` floats.
  var direction: [Float] = []
  var negative: Float = 0
  var positive: Float = 0
  var overran = false
}
