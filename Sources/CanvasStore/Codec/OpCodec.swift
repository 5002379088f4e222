import Canvas
import Foundation
import LatentMath

/// The stored form of op payloads: a version byte, then fields in a fixed order per kind,
/// with latents as raw fp16 (768 bytes for 384 dimensions). Far cheaper than JSON on the
/// append path, and lossless because latents are fp16 in the model too.
enum OpCodec {
  static let version: UInt8 = 1

  static func encode(_ payload: OpPayload) -> [UInt8] {
    var w = ByteWriter(capacity: 900)
    w.byte(version)
    switch payload {
    case .nodeCreate(let p):
      w.string(p.node.rawValue)
      w.optional(p.text) { $0.string($1) }
      w.latent(p.latent)
      w.origin(p.origin)
    case .nodeMove(let p):
      w.string(p.node.rawValue)
      w.list(p.coordinates) { w, c in
        w.string(c.axis.rawValue)
        w.float(c.value)
      }
      w.optional(p.latent) { $0.latent($1) }
    case .nodeSetText(let p):
      w.string(p.node.rawValue)
      w.string(p.text)
      w.optional(p.latent) { $0.latent($1) }
    case .nodeDecoded(let p):
      w.decoded(p)
    case .nodeDelete(let p):
      w.string(p.node.rawValue)
    case .axisCreate(let p):
      w.string(p.axis.rawValue)
      w.string(p.name)
      w.poles(p.poles)
      w.string(p.provider)
      w.json(p.params)
      w.latent(p.direction)
      w.calibration(p.calibration)
    case .axisUpdate(let p):
      w.string(p.axis.rawValue)
      w.optional(p.name) { $0.string($1) }
      w.optional(p.poles) { $0.poles($1) }
      w.optional(p.provider) { $0.string($1) }
      w.optional(p.params) { $0.json($1) }
      w.optional(p.direction) { $0.latent($1) }
      w.optional(p.calibration) { $0.calibration($1) }
    case .axisDelete(let p):
      w.string(p.axis.rawValue)
    case .viewBind(let p):
      w.binding(p.x)
      w.binding(p.y)
    case .viewLayout(let p):
      w.viewLayout(p)
    case .pluginsAllow(let p):
      w.allowList(p.plugins)
    case .featureName(let p):
      w.string(p.dictionary)
      w.varint(UInt64(max(0, p.feature)))
      w.string(p.name)
    case .opApply(let p):
      w.opApply(p)
    }
    return w.bytes
  }

  static func decode(_ kind: OpKind, _ bytes: UnsafeRawBufferPointer) throws(StoreError)
    -> OpPayload
  {
    var r = ByteReader(bytes)
    let found = try r.byte()
    guard found == version else { throw .corrupt("unknown payload version \(found)") }
    let payload: OpPayload
    switch kind {
    case .nodeCreate:
      payload = .nodeCreate(
        NodeCreate(
          node: NodeID(try r.string()),
          text: try r.optional { r throws(StoreError) in try r.string() },
          latent: try r.latent(), origin: try r.origin()))
    case .nodeMove:
      let node = NodeID(try r.string())
      let coordinates = try r.list { r throws(StoreError) in
        AxisCoordinate(axis: AxisID(try r.string()), value: try r.float())
      }
      let latent = try r.optional { r throws(StoreError) in try r.latent() }
      payload = .nodeMove(NodeMove(node: node, coordinates: coordinates, latent: latent))
    case .nodeSetText:
      payload = .nodeSetText(
        NodeSetText(
          node: NodeID(try r.string()), text: try r.string(),
          latent: try r.optional { r throws(StoreError) in try r.latent() }))
    case .nodeDecoded:
      payload = .nodeDecoded(try r.decoded())
    case .nodeDelete:
      payload = .nodeDelete(NodeDelete(node: NodeID(try r.string())))
    case .axisCreate:
      payload = .axisCreate(
        AxisCreate(
          axis: AxisID(try r.string()), name: try r.string(), poles: try r.poles(),
          provider: try r.string(), params: try r.json(), direction: try r.latent(),
          calibration: try r.calibration()))
    case .axisUpdate:
      payload = .axisUpdate(
        AxisUpdate(
          axis: AxisID(try r.string()),
          name: try r.optional { r throws(StoreError) in try r.string() },
          poles: try r.optional { r throws(StoreError) in try r.poles() },
          provider: try r.optional { r throws(StoreError) in try r.string() },
          params: try r.optional { r throws(StoreError) in try r.json() },
          direction: try r.optional { r throws(StoreError) in try r.latent() },
          calibration: try r.optional { r throws(StoreError) in try r.calibration() }))
    case .axisDelete:
      payload = .axisDelete(AxisDelete(axis: AxisID(try r.string())))
    case .viewBind:
      payload = .viewBind(ViewBind(x: try r.binding(), y: try r.binding()))
    case .viewLayout:
      payload = .viewLayout(try r.viewLayout())
    case .featureName:
      payload = .featureName(try r.featureName())
    case .pluginsAllow:
      payload = .pluginsAllow(PluginsAllow(plugins: try r.allowList()))
    case .opApply:
      payload = .opApply(try r.opApply())
    }
    guard r.isAtEnd else { throw .corrupt("\(kind.rawValue) payload has trailing bytes") }
    return payload
  }
}
