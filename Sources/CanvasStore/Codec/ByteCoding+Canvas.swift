import Canvas
import Foundation
import LatentMath

/// Encodings of the model's small value types, shared by OpCodec and SnapshotCodec.
extension ByteWriter {
  mutating func opID(_ id: OpID) {
    varint(id.lamport)
    string(id.replica.rawValue)
  }

  mutating func origin(_ origin: NodeOrigin) {
    string(origin.kind.rawValue)
    list(origin.parents) { $0.string($1.rawValue) }
  }

  mutating func poles(_ poles: AxisPoles) {
    string(poles.negative)
    string(poles.positive)
  }

  mutating func calibration(_ calibration: AxisCalibration) {
    float(calibration.negativeMean)
    float(calibration.positiveMean)
  }

  /// JSON values are rare (plugin parameters), so they are stored as JSON text.
  mutating func json(_ value: JSONValue) {
    let data = (try? JSONEncoder.sorted.encode(value)) ?? Data("null".utf8)
    string(String(decoding: data, as: UTF8.self))
  }

  mutating func binding(_ change: BindingChange?) {
    switch change {
    case nil: byte(0)
    case .clear?: byte(1)
    case .bind(let axis)?:
      byte(2)
      string(axis.rawValue)
    }
  }

  /// A plugins.allow list: present flag, then the entries.
  mutating func allowList(_ plugins: [String]?) {
    bool(plugins != nil)
    if let plugins { list(plugins) { $0.string($1) } }
  }

  mutating func opApply(_ p: OpApply) {
    string(p.plugin)
    string(p.operation)
    json(p.params)
    list(p.inputs) { $0.string($1.rawValue) }
    list(p.outputs) { $0.string($1.rawValue) }
  }

  mutating func decoded(_ p: NodeDecoded) {
    string(p.node.rawValue)
    opID(p.answers)
    string(p.text)
    latent(p.textLatent)
    float(p.fidelity)
    string(p.source.rawValue)
    list(p.runnersUp) { w, runner in
      w.string(runner.text)
      w.float(runner.cosine)
    }
    string(p.decoderVersion)
  }
}

extension ByteReader {
  mutating func opID() throws(StoreError) -> OpID {
    OpID(lamport: try varint(), replica: ReplicaID(try string()))
  }

  mutating func origin() throws(StoreError) -> NodeOrigin {
    let name = try string()
    guard let kind = NodeOrigin.Kind(rawValue: name) else {
      throw .corrupt("unknown origin kind '\(name)'")
    }
    return NodeOrigin(
      kind: kind, parents: try list { r throws(StoreError) in NodeID(try r.string()) })
  }

  mutating func poles() throws(StoreError) -> AxisPoles {
    AxisPoles(negative: try string(), positive: try string())
  }

  mutating func calibration() throws(StoreError) -> AxisCalibration {
    AxisCalibration(negativeMean: try float(), positiveMean: try float())
  }

  mutating func json() throws(StoreError) -> JSONValue {
    let text = try string()
    do {
      return try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    } catch {
      throw .corrupt("bad JSON parameters")
    }
  }

  mutating func binding() throws(StoreError) -> BindingChange? {
    switch try byte() {
    case 0: return nil
    case 1: return .clear
    case 2: return .bind(AxisID(try string()))
    case let other: throw .corrupt("bad binding tag \(other)")
    }
  }

  mutating func opApply() throws(StoreError) -> OpApply {
    OpApply(
      plugin: try string(), operation: try string(), params: try json(),
      inputs: try list { r throws(StoreError) in NodeID(try r.string()) },
      outputs: try list { r throws(StoreError) in NodeID(try r.string()) })
  }

  mutating func decoded() throws(StoreError) -> NodeDecoded {
    let node = NodeID(try string())
    let answers = try opID()
    let text = try string()
    let textLatent = try latent()
    let fidelity = try float()
    let sourceName = try string()
    guard let source = DecodeSource(rawValue: sourceName) else {
      throw .corrupt("unknown decode source '\(sourceName)'")
    }
    let runnersUp = try list { r throws(StoreError) in
      RunnerUp(text: try r.string(), cosine: try r.float())
    }
    return NodeDecoded(
      node: node, answers: answers, text: text, textLatent: textLatent, fidelity: fidelity,
      source: source, runnersUp: runnersUp, decoderVersion: try string())
  }
}

extension JSONEncoder {
  /// An encoder with sorted keys, so equal values give equal bytes.
  static var sorted: JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return encoder
  }
}

extension ByteWriter {
  /// A view.layout: its run, method, params and positions (node, x, y).
  mutating func viewLayout(_ p: ViewLayout) {
    optional(p.run) { $0.opID($1) }
    string(p.method.rawValue)
    json(p.params)
    list(p.positions) { w, position in w.mapPosition(position) }
  }

  mutating func mapPosition(_ position: MapPosition) {
    string(position.node.rawValue)
    float(position.x)
    float(position.y)
  }
}

extension ByteReader {
  mutating func viewLayout() throws(StoreError) -> ViewLayout {
    let run = try optional { r throws(StoreError) in try r.opID() }
    let name = try string()
    guard let method = MapMethod(rawValue: name) else {
      throw .corrupt("unknown map method '\(name)'")
    }
    let params = try json()
    let positions = try list { r throws(StoreError) in try r.mapPosition() }
    return ViewLayout(run: run, method: method, params: params, positions: positions)
  }

  mutating func mapPosition() throws(StoreError) -> MapPosition {
    MapPosition(node: NodeID(try string()), x: try float(), y: try float())
  }

  mutating func allowList() throws(StoreError) -> [String]? {
    guard try bool() else { return nil }
    return try list { (r: inout ByteReader) throws(StoreError) in try r.string() }
  }

  mutating func featureName() throws(StoreError) -> FeatureName {
    let dictionary = try string()
    let feature = try varint()
    guard feature <= UInt64(Int32.max) else { throw .corrupt("feature id \(feature) out of range") }
    return FeatureName(dictionary: dictionary, feature: Int(feature), name: try string())
  }
}
