import Canvas
import CanvasStore
import Foundation
import Logging

/// A store in a fresh temporary folder, removed when the value is released.
final class TemporaryStore {
  let folder: URL
  let path: String
  private(set) var store: CanvasStore

  init(_ configuration: StoreConfiguration = StoreConfiguration()) throws {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "latitude-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    path = folder.appendingPathComponent("test.sqlite").path
    store = try CanvasStore(path: path, configuration: configuration, logger: Logger(label: "test"))
  }

  /// Opens the same file again, as a restarted server would.
  func reopen(_ configuration: StoreConfiguration = StoreConfiguration()) throws {
    store = try CanvasStore(path: path, configuration: configuration, logger: Logger(label: "test"))
  }

  /// Creates a document and returns its id.
  @discardableResult
  func document(_ id: DocumentID = "doc") throws -> DocumentID {
    try store.createDocument(DocumentInfo(id: id, title: "Test \(id)", createdAt: 1_700_000_000))
    return id
  }

  deinit { try? FileManager.default.removeItem(at: folder) }
}
