import CommandSupport
import ArgumentParser
import CanvasStore
import Foundation

/// `latitude docs`: lists documents with their head seq and storage.
struct DocsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "docs",
    abstract: "List the documents in a database (creating the database if asked).")

  @OptionGroup var store: StoreOptions

  @Flag(help: "Create the database (and ./data/) if it does not exist.")
  var create = false

  @Flag(help: "Print JSON instead of a table.")
  var json = false

  func run() throws {
    let canvasStore = try store.open(create: create)
    let documents = try canvasStore.documents()
    if json {
      let data = try JSONEncoder().encode(documents)
      writeOut(String(decoding: data, as: UTF8.self) + "\n")
      return
    }
    writeOut("database \(store.db): \(documents.count) document(s)\n")
    for doc in documents {
      let stats = try canvasStore.storageStats(doc.id)
      writeOut(
        "  \(doc.id)  \"\(doc.title)\"  seq \(doc.headSeq)  ops \(stats.opBytes / 1024) KiB"
          + "  snapshots \(stats.snapshotCount) (\(stats.snapshotBytes / 1024) KiB)\n")
    }
  }
}
