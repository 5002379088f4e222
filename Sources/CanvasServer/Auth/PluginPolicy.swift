import Foundation
import Canvas
import PluginHost

/// Which plugins each role may run on this server (`serve --plugin-policy`), native or
/// WebAssembly. A document's owner can narrow it further with a logged plugins.allow op;
/// a call outside either is refused with 403.
///
/// Text form: `role=entry,entry;role=entry…`, an entry being a plugin name, `native:*`,
/// `wasm:*` or `*`. Roles not named may run nothing. Without a policy every role that
/// may write may run every loaded plugin.
///
///     owner=*; editor=builtin-ops,wasm:*
public struct PluginPolicy: Sendable, Equatable {
  /// Allowed entries per role; nil: no restriction.
  let entries: [Role: [String]]?

  /// No restriction (the default).
  public static let unrestricted = PluginPolicy(entries: nil)

  private init(entries: [Role: [String]]?) { self.entries = entries }

  /// Parses the text form.
  /// - Throws: `PluginPolicyError` naming the part it could not read.
  public init(parsing text: String) throws(PluginPolicyError) {
    var entries: [Role: [String]] = [:]
    for clause in text.split(separator: ";") {
      let parts = clause.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      let roleName = parts.first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
      if roleName.isEmpty, parts.count == 1 { continue }
      guard parts.count == 2, let role = Role(rawValue: roleName) else {
        throw .malformed(
          "'\(clause)': expected role=entry,… with role one of "
            + Role.allCases.map(\.rawValue).joined(separator: ", "))
      }
      guard entries[role] == nil else { throw .malformed("role \(roleName) is given twice") }
      let list = parts[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        .filter { !$0.isEmpty }
      for entry in list where !Self.isValidEntry(entry) {
        throw .malformed("'\(entry)' is not a plugin name, native:*, wasm:* or *")
      }
      entries[role] = list
    }
    guard !entries.isEmpty else { throw .malformed("the policy names no role") }
    self.entries = entries
  }

  /// Whether `role` may run `plugin` under this policy.
  public func allows(_ role: Role, plugin: LoadedPlugin) -> Bool {
    guard let entries else { return true }
    return (entries[role] ?? []).contains {
      PluginsAllow.entry($0, admits: plugin.name, runtime: plugin.runtime.rawValue)
    }
  }

  private static func isValidEntry(_ entry: String) -> Bool {
    ["*", "native:*", "wasm:*"].contains(entry) || LoadedPlugin.isValidName(entry)
  }
}

/// A `--plugin-policy` that cannot be read.
public enum PluginPolicyError: Error, Equatable, CustomStringConvertible {
  case malformed(String)

  public var description: String {
    switch self {
    case .malformed(let detail): "plugin policy: \(detail)"
    }
  }
}
