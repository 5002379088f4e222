/// A change to one screen slot's axis binding.
public enum BindingChange: Hashable, Sendable {
  /// Bind the slot to an axis.
  case bind(AxisID)
  /// Leave the slot unbound.
  case clear
}

/// view.bind: which axis is on screen x and which on y. A nil field leaves that slot as is.
public struct ViewBind: Hashable, Sendable {
  /// The change to the x slot, if any.
  public var x: BindingChange?
  /// The change to the y slot, if any.
  public var y: BindingChange?

  /// Makes a view.bind payload.
  public init(x: BindingChange? = nil, y: BindingChange? = nil) {
    self.x = x
    self.y = y
  }
}

/// op.apply: which plugin operation ran. Its results are logged as separate server-authored
/// ops that carry their latents, so folding the log never calls a plugin.
public struct OpApply: Hashable, Sendable, Codable {
  /// The plugin's name.
  public var plugin: String
  /// The operation's name within the plugin.
  public var operation: String
  /// The operation's parameters.
  public var params: JSONValue
  /// The nodes it read.
  public var inputs: [NodeID]
  /// The nodes it produced.
  public var outputs: [NodeID]

  /// Makes an op.apply payload.
  public init(
    plugin: String, operation: String, params: JSONValue, inputs: [NodeID], outputs: [NodeID]
  ) {
    self.plugin = plugin
    self.operation = operation
    self.params = params
    self.inputs = inputs
    self.outputs = outputs
  }
}
