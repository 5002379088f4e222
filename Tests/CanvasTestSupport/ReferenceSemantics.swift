import Canvas
import Latent

/// The merge rules of DESIGN.md computed directly from the whole op set, by brute force:
/// the oracle the incremental fold is checked against.
public enum ReferenceSemantics {
  /// What a node should show.
  public struct Expected: Equatable, CustomStringConvertible {
    public var text: String?
    public var latent: LatentVector
    public var description: String { "text \(text ?? "nil")" }
  }

  /// The expected live nodes after folding `ops` (any order, duplicates allowed).
  public static func nodes(_ ops: [Op]) -> [NodeID: Expected] {
    var unique: [OpID: Op] = [:]
    for op in ops { unique[op.id] = op }
    let all = unique.values.sorted { $0.id < $1.id }
    var result: [NodeID: Expected] = [:]
    let deleted = Set(
      all.compactMap { op -> NodeID? in
        if case .nodeDelete(let p) = op.payload { return p.node }
        return nil
      })
    for node in Set(all.compactMap(\.payload.node)) where !deleted.contains(node) {
      var writes: [(id: OpID, latent: LatentVector, text: String?)] = []
      var created = false
      for op in all {
        switch op.payload {
        case .nodeCreate(let p) where p.node == node:
          created = true
          writes.append((op.id, p.latent, p.text))
        case .nodeMove(let p) where p.node == node:
          if let latent = p.latent { writes.append((op.id, latent, nil)) }
        case .nodeSetText(let p) where p.node == node:
          if let latent = p.latent { writes.append((op.id, latent, p.text)) }
        default: break
        }
      }
      guard created, let newest = writes.max(by: { $0.id < $1.id }) else { continue }
      var text: String?
      for write in writes.sorted(by: { $0.id > $1.id }) {
        if let own = write.text {
          text = own
          break
        }
        let answers = all.filter {
          if case .nodeDecoded(let d) = $0.payload {
            return d.node == node && d.answers == write.id
          }
          return false
        }
        if let decode = answers.max(by: { $0.id < $1.id }),
          case .nodeDecoded(let d) = decode.payload
        {
          text = d.text
          break
        }
      }
      result[node] = Expected(text: text, latent: newest.latent)
    }
    return result
  }
}
