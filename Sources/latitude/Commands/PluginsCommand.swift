import CommandSupport
import ArgumentParser
import Foundation
import Latent
import Logging
import PluginHost

/// `latitude plugins list`: the plugins that load (native and WebAssembly), with their
/// runtime, version, operations and axis providers, and what was refused and why.
struct PluginsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plugins", abstract: "Plugins (native and WebAssembly): list what loads.",
    subcommands: [List.self])

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List loaded plugins (built-in and from --plugins folders) and refusals.")
    @Option(help: "Plugin folder (repeatable).") var plugins: [String] = []

    func run() throws {
      let registry = PluginRegistry(
        directories: plugins, encoder: nil, logger: Logger(label: "latitude.plugins"))
      var lines: [String] = []
      for plugin in registry.plugins {
        let runtime = plugin.runtime == .native ? "native" : "wasm (sandboxed)"
        lines.append("\(plugin.name) \(plugin.version)\t\(runtime)\t\(plugin.path)")
        for operation in plugin.operations {
          lines.append(
            "  \(operation.name)\t\(operation.inputs.lowerBound)–\(operation.inputs.upperBound) inputs\t\(operation.description)"
          )
        }
        for provider in plugin.axisProviders {
          lines.append("  axis provider \(provider.name)\t\(provider.description)")
        }
      }
      for refusal in registry.refusals { lines.append("refused: \(refusal)") }
      writeOut(lines.joined(separator: "\n") + "\n")
    }
  }
}
