/// Which axes are on screen x and y.
public struct ViewBindings: Hashable, Sendable, Codable {
  /// The axis on x, if bound to a live axis.
  public var x: AxisID?
  /// The axis on y, if bound to a live axis.
  public var y: AxisID?

  /// Makes bindings.
  public init(x: AxisID? = nil, y: AxisID? = nil) {
    self.x = x
    self.y = y
  }
}
