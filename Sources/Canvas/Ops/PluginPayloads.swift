/// plugins.allow: the document owner's restriction of the plugins that may run in it, on
/// top of the server's per-role policy. `plugins` lists plugin names (or `native:*`,
/// `wasm:*`, `*`); nil lifts the restriction. One last-writer-wins register per document.
public struct PluginsAllow: Hashable, Sendable, Codable {
  /// What may run; nil: whatever the server's policy allows.
  public var plugins: [String]?

  /// Makes a plugins.allow payload.
  public init(plugins: [String]?) {
    self.plugins = plugins
  }

  /// Whether an entry of an allow-list admits a plugin of this name and runtime
  /// (`"native"` or `"wasm"`).
  public static func entry(_ entry: String, admits name: String, runtime: String) -> Bool {
    entry == "*" || entry == name || entry == runtime + ":*"
  }
}
