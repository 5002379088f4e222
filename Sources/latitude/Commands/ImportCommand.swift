import CommandSupport
import ArgumentParser
import Canvas
import CanvasStore
import Foundation

/// `latitude import`: loads an NDJSON export as a new document.
struct ImportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Import an NDJSON export as a new document (all or nothing).")

  @OptionGroup var store: StoreOptions

  @Argument(help: "The NDJSON file ('-' for standard input).")
  var file: String

  @Option(name: .customLong("as"), help: "Id for the new document (default: the id in the file).")
  var newID: String?

  func run() throws {
    let handle: FileHandle
    if file == "-" {
      handle = FileHandle.standardInput
    } else {
      guard let opened = FileHandle(forReadingAtPath: file) else {
        throw CLIError("cannot read \(file)")
      }
      handle = opened
    }
    let canvasStore = try store.open(create: true)
    let info = try canvasStore.importNDJSON(
      lines: LineReader(handle: handle), as: newID.map(DocumentID.init))
    writeOut("imported \(info.id): \(info.headSeq) ops\n")
  }
}
