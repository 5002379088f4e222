import CommandSupport
import ArgumentParser
import Canvas
import CanvasStore
import Foundation
import Logging

/// The `--db` option and how commands open the store.
struct StoreOptions: ParsableArguments {
  @Option(name: .long, help: "Op log: a SQLite file, or a postgres:// URL.")
  var db: String = "./data/latitude.sqlite"

  @Option(name: .long, help: "Durability: normal (survives SIGKILL) or full (survives power loss).")
  var durability: String = "normal"

  /// Opens an existing store; a missing file is a clear error, not a new empty database.
  func openExisting() throws -> CanvasStore {
    try open(create: false)
  }

  /// Opens the store, creating the file (and its folder) if needed.
  func open(create: Bool) throws -> CanvasStore {
    guard let level = StoreConfiguration.Durability(rawValue: durability.uppercased()) else {
      throw ValidationError("--durability must be 'normal' or 'full', not '\(durability)'")
    }
    let location = StoreLocation(db)
    let configuration = StoreConfiguration(durability: level, createIfMissing: create)
    let logger = Logger(label: "latitude.store")
    if case .postgres = location {
      return try CanvasStore(location: location, configuration: configuration, logger: logger)
    }
    if create {
      let folder = URL(fileURLWithPath: db).deletingLastPathComponent()
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    } else if !FileManager.default.fileExists(atPath: db) {
      throw CLIError("no database at \(db) (pass --db with the path of an existing file)")
    }
    return try CanvasStore(path: db, configuration: configuration, logger: logger)
  }
}
