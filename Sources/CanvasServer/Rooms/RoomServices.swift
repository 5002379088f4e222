import Canvas
import Latent
import PluginHost

/// What the room core needs from outside itself to resolve a client's op: the encoder, the
/// axis sources and the plugins. `Room` provides the real ones; tests pass fakes, so the
/// core's decisions are tested with no model, no pack and no native code.
protocol RoomServices {
  /// The embedding of a typed text (checked first).
  func embed(_ text: String) throws(ProtocolError) -> LatentVector
  /// An axis for a draft without a direction: from examples, a pack or a plugin provider.
  func buildAxis(_ draft: ClientOpPayload.AxisDraft, params: JSONValue) throws(ProtocolError)
    -> BuiltAxis
  /// Runs a plugin operation on the given latents.
  func runOperation(
    _ name: String, inputs: [[Float]], params: JSONValue, axes: [OperationAxis]
  ) throws(ProtocolError) -> OperationRun
  /// Refuses (403) a plugin operation or axis provider that the server's policy for
  /// `role`, or the document's allow-list, does not admit. Names that no plugin provides
  /// (built-in server operations, packs, examples) pass.
  func authorize(_ use: PluginUse, role: Role, allowList: [String]?) throws(ProtocolError)
}

extension RoomServices {
  func authorize(_ use: PluginUse, role: Role, allowList: [String]?) throws(ProtocolError) {}
}

/// What a request wants to run from a plugin.
enum PluginUse: Equatable {
  case operation(String)
  case axisProvider(String)
}

/// A plugin operation's output and what the host knows about the operation.
struct OperationRun {
  /// What it wrote.
  var output: OperationOutput
  /// The plugin that provides it.
  var plugin: String
  /// What its node outputs do: create nodes, or update its inputs.
  var effect: Effect
  /// What each output's decode should prefer (one list per output vector), or empty.
  var intents: [[DecodeIntent]] = []
}
