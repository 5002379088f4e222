import CommandSupport
import ArgumentParser
import Canvas
import CanvasStore
import Foundation

/// `latitude replay`: the state of a document at a seq, as JSON.
struct ReplayCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "replay",
    abstract: "Print a document's state at a seq as JSON (default: the latest seq).")

  @OptionGroup var store: StoreOptions

  @Option(help: "Document id.")
  var doc: String

  @Option(help: "Fold ops 1...seq (0 is the empty document). Default: the head.")
  var seq: Int64?

  @Flag(help: "Include latents (base64 fp16).")
  var latents = false

  func run() throws {
    let canvasStore = try store.openExisting()
    let info = try canvasStore.requireDocument(DocumentID(doc))
    let at = seq ?? info.headSeq
    let state = try canvasStore.state(info.id, atSeq: at)
    struct Output: Encodable {
      var document: DocumentInfo
      var seq: Int64
      var state: DocumentStateView
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(
      Output(document: info, seq: at, state: state.rendered(includeLatents: latents)))
    writeOut(String(decoding: data, as: UTF8.self) + "\n")
  }
}
