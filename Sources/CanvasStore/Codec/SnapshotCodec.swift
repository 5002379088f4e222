import Canvas
import LatentMath

/// The stored form of a folded `DocumentState`: every record, including tombstones and ops
/// still waiting for their counterpart, so folding on from a snapshot is exactly folding
/// from the start. Records are written in id order, so equal states give equal bytes.
/// Version 2 adds the map (its layout and placements) after the operations; version 3 the
/// document's feature names after the map; version 4 the plugin allow-list after those.
/// Older snapshots still load.
enum SnapshotCodec {
  static let version: UInt8 = 4

  static func encode(_ state: DocumentState) -> [UInt8] {
    var w = ByteWriter(capacity: 4096 + state.nodeRecords.count * 1700)
    w.byte(version)
    w.varint(state.maxLamport)
    w.list(state.nodeRecords.sorted { $0.key < $1.key }) { w, entry in
      w.string(entry.key.rawValue)
      w.nodeRecord(entry.value)
    }
    w.list(state.axisRecords.sorted { $0.key < $1.key }) { w, entry in
      w.string(entry.key.rawValue)
      w.axisRecord(entry.value)
    }
    for slot in [state.viewX, state.viewY] {
      w.optional(slot) { w, stamped in
        w.opID(stamped.stamp)
        w.optional(stamped.value) { $0.string($1.rawValue) }
      }
    }
    w.list(state.operations.sorted { $0.key < $1.key }) { w, entry in
      w.opID(entry.key)
      w.opApply(entry.value)
    }
    w.optional(state.map.layout) { w, layout in
      w.opID(layout.stamp)
      w.viewLayout(layout.value)
    }
    w.list(state.map.placements.sorted { $0.key < $1.key }) { w, entry in
      w.opID(entry.key.run)
      w.opID(entry.value.stamp)
      w.mapPosition(entry.value.value)
    }
    w.list(state.featureNames.sorted { $0.key < $1.key }) { w, entry in
      w.opID(entry.value.stamp)
      w.string(entry.key.dictionary)
      w.varint(UInt64(max(0, entry.key.feature)))
      w.string(entry.value.value)
    }
    w.bool(state.pluginAllowList != nil)
    if let allow = state.pluginAllowList {
      w.opID(allow.stamp)
      w.allowList(allow.value)
    }
    return w.bytes
  }

  static func decode(_ bytes: UnsafeRawBufferPointer) throws(StoreError) -> DocumentState {
    var r = ByteReader(bytes)
    let found = try r.byte()
    guard (1...version).contains(found) else {
      throw .corrupt("unknown snapshot version \(found)")
    }
    var state = DocumentState()
    state.maxLamport = try r.varint()
    for _ in 0..<(try r.count()) {
      let id = NodeID(try r.string())
      state.nodeRecords[id] = try r.nodeRecord()
    }
    for _ in 0..<(try r.count()) {
      let id = AxisID(try r.string())
      state.axisRecords[id] = try r.axisRecord()
    }
    let slots = try (0..<2).map { _ throws(StoreError) in
      try r.optional { r throws(StoreError) -> Stamped<AxisID?> in
        let stamp = try r.opID()
        return Stamped(try r.optional { r throws(StoreError) in AxisID(try r.string()) }, at: stamp)
      }
    }
    state.viewX = slots[0]
    state.viewY = slots[1]
    for _ in 0..<(try r.count()) {
      let id = try r.opID()
      state.operations[id] = try r.opApply()
    }
    if found >= 2 {
      state.map.layout = try r.optional { r throws(StoreError) in
        let stamp = try r.opID()
        return Stamped(try r.viewLayout(), at: stamp)
      }
      for _ in 0..<(try r.count()) {
        let run = try r.opID()
        let stamp = try r.opID()
        let position = try r.mapPosition()
        state.map.placements[MapRecord.PlacementKey(run: run, node: position.node)] = Stamped(
          position, at: stamp)
      }
    }
    if found >= 3 {
      for _ in 0..<(try r.count()) {
        let stamp = try r.opID()
        let dictionary = try r.string()
        let feature = try r.varint()
        guard feature <= UInt64(Int32.max) else { throw .corrupt("feature id out of range") }
        let name = try r.string()
        state.featureNames[FeatureKey(dictionary: dictionary, feature: Int(feature))] = Stamped(
          name, at: stamp)
      }
    }
    if found >= 4, try r.bool() {
      let stamp = try r.opID()
      state.pluginAllowList = Stamped(try r.allowList(), at: stamp)
    }
    guard r.isAtEnd else { throw .corrupt("snapshot has trailing bytes") }
    return state
  }
}

extension ByteWriter {
  fileprivate mutating func stamped<V>(_ value: Stamped<V>?, _ write: (inout ByteWriter, V) -> Void)
  {
    optional(value) { w, s in
      w.opID(s.stamp)
      write(&w, s.value)
    }
  }

  fileprivate mutating func nodeRecord(_ record: NodeRecord) {
    bool(record.isDeleted)
    if record.isDeleted { return }
    stamped(record.create) { $0.origin($1) }
    stamped(record.latent) { $0.latent($1) }
    optional(record.text) { w, source in
      w.opID(source.write)
      w.optional(source.decodeID) { $0.opID($1) }
      w.optional(source.decode) { $0.decoded($1) }
      if source.decode == nil {
        w.string(source.text)
        w.latent(source.textLatent)
      }
    }
    list(record.awaitingDecode.sorted()) { $0.opID($1) }
    list(record.earlyDecodes.sorted { $0.key < $1.key }) { w, entry in
      w.opID(entry.value.stamp)
      w.decoded(entry.value.value)
    }
  }

  fileprivate mutating func axisRecord(_ record: AxisRecord) {
    bool(record.isDeleted)
    if record.isDeleted { return }
    optional(record.created) { $0.opID($1) }
    stamped(record.name) { $0.string($1) }
    stamped(record.poles) { $0.poles($1) }
    stamped(record.provider) { $0.string($1) }
    stamped(record.params) { $0.json($1) }
    stamped(record.direction) { $0.latent($1) }
    stamped(record.calibration) { $0.calibration($1) }
  }
}

extension ByteReader {
  fileprivate mutating func stamped<V>(_ read: (inout ByteReader) throws(StoreError) -> V)
    throws(StoreError) -> Stamped<V>?
  {
    try optional { r throws(StoreError) in
      let stamp = try r.opID()
      return Stamped(try read(&r), at: stamp)
    }
  }

  fileprivate mutating func nodeRecord() throws(StoreError) -> NodeRecord {
    if try bool() { return .tombstone }
    var record = NodeRecord()
    record.create = try stamped { r throws(StoreError) in try r.origin() }
    record.latent = try stamped { r throws(StoreError) in try r.latent() }
    record.text = try optional { r throws(StoreError) -> TextSource in
      let write = try r.opID()
      let decodeID = try r.optional { r throws(StoreError) in try r.opID() }
      if let decode = try r.optional({ r throws(StoreError) in try r.decoded() }) {
        return TextSource(
          write: write, decode: decode, decodeID: decodeID, text: decode.text,
          textLatent: decode.textLatent)
      }
      return TextSource(
        write: write, decode: nil, decodeID: decodeID, text: try r.string(),
        textLatent: try r.latent())
    }
    record.awaitingDecode = Set(try list { r throws(StoreError) in try r.opID() })
    let early = try list { r throws(StoreError) -> Stamped<NodeDecoded> in
      let stamp = try r.opID()
      return Stamped(try r.decoded(), at: stamp)
    }
    for decoded in early { record.earlyDecodes[decoded.value.answers] = decoded }
    return record
  }

  fileprivate mutating func axisRecord() throws(StoreError) -> AxisRecord {
    if try bool() { return .tombstone }
    var record = AxisRecord()
    record.created = try optional { r throws(StoreError) in try r.opID() }
    record.name = try stamped { r throws(StoreError) in try r.string() }
    record.poles = try stamped { r throws(StoreError) in try r.poles() }
    record.provider = try stamped { r throws(StoreError) in try r.string() }
    record.params = try stamped { r throws(StoreError) in try r.json() }
    record.direction = try stamped { r throws(StoreError) in try r.latent() }
    record.calibration = try stamped { r throws(StoreError) in try r.calibration() }
    return record
  }
}
