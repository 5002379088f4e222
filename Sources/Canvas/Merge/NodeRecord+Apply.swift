import LatentMath

extension NodeRecord {
  mutating func applyCreate(_ payload: NodeCreate, id: OpID) {
    create.mergeLastWriter(Stamped(payload.origin, at: id))
    applyLatentWrite(payload.latent, text: payload.text, id: id)
  }

  /// A latent write: node.create, node.move or node.setText. Writes that carry text are
  /// text candidates at once; the others wait for the node.decoded that answers them.
  mutating func applyLatentWrite(_ vector: LatentVector, text newText: String?, id: OpID) {
    latent.mergeLastWriter(Stamped(vector, at: id))
    if let newText {
      earlyDecodes[id] = nil
      offer(TextSource(write: id, decode: nil, decodeID: nil, text: newText, textLatent: vector))
    } else if let early = earlyDecodes.removeValue(forKey: id) {
      offer(source(from: early))
    } else if isNewerThanText(id) {
      awaitingDecode.insert(id)
    }
  }

  /// A node.decoded counts only for the write it answers, and only once that write is seen.
  mutating func applyDecode(_ payload: NodeDecoded, id: OpID) {
    let write = payload.answers
    let decoded = Stamped(payload, at: id)
    if awaitingDecode.remove(write) != nil {
      offer(source(from: decoded))
    } else if let current = text, current.write == write {
      // Another decode for the current text's write; own text always wins over a decode.
      if current.decodeID != nil { offer(source(from: decoded)) }
    } else if isNewerThanText(write) {
      if let held = earlyDecodes[write], held.stamp >= id { return }
      earlyDecodes[write] = decoded
    }
  }

  private func isNewerThanText(_ write: OpID) -> Bool {
    guard let text else { return true }
    return write > text.write
  }

  private func source(from decoded: Stamped<NodeDecoded>) -> TextSource {
    TextSource(
      write: decoded.value.answers, decode: decoded.value, decodeID: decoded.stamp,
      text: decoded.value.text, textLatent: decoded.value.textLatent)
  }

  /// Takes `candidate` as the text if it is newer, then forgets what can no longer win.
  private mutating func offer(_ candidate: TextSource) {
    if let current = text, !current.precedes(candidate) { return }
    text = candidate
    if !awaitingDecode.isEmpty { awaitingDecode = awaitingDecode.filter { $0 > candidate.write } }
    if !earlyDecodes.isEmpty { earlyDecodes = earlyDecodes.filter { $0.key > candidate.write } }
  }
}
