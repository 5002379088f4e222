/// The kinds of op in the log. The raw value is the wire name.
public enum OpKind: String, CaseIterable, Sendable, Codable {
  case nodeCreate = "node.create"
  case nodeMove = "node.move"
  case nodeSetText = "node.setText"
  case nodeDecoded = "node.decoded"
  case nodeDelete = "node.delete"
  case axisCreate = "axis.create"
  case axisUpdate = "axis.update"
  case axisDelete = "axis.delete"
  case viewBind = "view.bind"
  case viewLayout = "view.layout"
  case featureName = "feature.name"
  case pluginsAllow = "plugins.allow"
  case opApply = "op.apply"
}
