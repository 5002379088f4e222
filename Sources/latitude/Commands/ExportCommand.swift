import CommandSupport
import ArgumentParser
import Canvas
import CanvasStore
import Foundation

/// `latitude export`: a document's op log as NDJSON.
struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write a document's ops as NDJSON (header line, then one op per line).")

  @OptionGroup var store: StoreOptions

  @Option(help: "Document id.")
  var doc: String

  @Option(name: .shortAndLong, help: "Output file (default: standard output).")
  var output: String?

  func run() throws {
    let canvasStore = try store.openExisting()
    let handle: FileHandle
    if let output {
      guard FileManager.default.createFile(atPath: output, contents: nil) else {
        throw CLIError("cannot create \(output)")
      }
      handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
    } else {
      handle = FileHandle.standardOutput
    }
    let count = try canvasStore.exportNDJSON(DocumentID(doc)) { handle.write($0) }
    if output != nil {
      try handle.close()
      FileHandle.standardError.write(Data("exported \(count) ops of \(doc) to \(output!)\n".utf8))
    }
  }
}
