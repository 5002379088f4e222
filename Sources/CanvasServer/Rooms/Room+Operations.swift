import Canvas
import CanvasStore
import Foundation
import Latent
import PluginHost

/// op.apply: runs a plugin operation on the selected nodes and logs it together with its
/// results — server-authored node.create (new nodes, decoded afterwards), node.move
/// (move-along-axes), or axis.create + view.bind (PCA layout) — in one atomic batch. The
/// results carry their latents, so replay never calls a plugin.
extension Room {
  /// An op.apply frame as the client sends it, decoded into types (never force-cast).
  struct ApplyFrame: Decodable {
    struct Payload: Decodable {
      var operation: String
      /// Absent means `{}`; present, it must be an object (`null` included is refused).
      var params: JSONValue?
      var inputs: [String]?

      enum CodingKeys: String, CodingKey { case operation, params, inputs }

      init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        operation = try container.decode(String.self, forKey: .operation)
        inputs = try container.decodeIfPresent([String].self, forKey: .inputs)
        if container.contains(.params) {
          params =
            try container.decodeNil(forKey: .params)
            ? .null : try container.decode(JSONValue.self, forKey: .params)
        }
      }
    }
    struct Body: Decodable {
      var id: OpID
      var payload: Payload
    }
    var op: Body
  }

  /// Runs and logs an op.apply from `connection`; acks or nacks it. The op and its results
  /// are one gated append: the results are logged only if the op.apply itself is, so a
  /// refused or retried op.apply changes nothing.
  func applyOperation(_ frame: Data, member: Member, connection: ConnectionID) {
    let clientID = LatitudeServer.opID(in: frame)
    let lamportBefore = serverLamport
    do {
      let (apply, results) = try runOperation(frame, member: member)
      let batch = [apply] + results
      let assigned = serverLamport
      let submitted = ContinuousClock.now
      committer.submit(
        AppendRequest(document: id, ops: batch, gatedOnFirst: true), on: queue
      ) { [self] result in
        metrics.recordCommit(ContinuousClock.now - submitted, result: result)
        if case .success(let outcomes) = result, case .committed? = outcomes.first {
        } else if serverLamport == assigned {
          // Nothing of the batch was logged: its server lamports are free again, so a
          // refused op cannot leave the room's clock ahead of its document.
          serverLamport = lamportBefore
        }
        switch result {
        case .failure(let error):
          sink.send(
            ServerFrames.nack(apply.id, code: "commit_failed", message: "\(error)"), to: connection)
          reload()
        case .success(let outcomes):
          for (op, outcome) in zip(batch, outcomes) {
            switch outcome {
            case .committed(let seq):
              state.apply(op)
              head = max(head, seq)
              let frame = ServerFrames.encode(
                ["t": "op"].merging(
                  ServerFrames.wireOp(SequencedOp(seq: seq, op: op), state: state)
                ) { $1 })
              if op.id == apply.id {
                sink.send(ServerFrames.ack(op.id, seq: seq), to: connection)
                sink.send(frame, to: peers(of: connection))
              } else {
                sink.send(frame, to: joinedConnections())
                scheduleDecodeIfTextless(op)
              }
            case .duplicate(let seq) where op.id == apply.id:
              sink.send(ServerFrames.ack(op.id, seq: seq), to: connection)
            case .rejected(let why) where op.id == apply.id:
              sink.send(
                ServerFrames.nack(op.id, code: why.code, message: why.description), to: connection)
            case .rejected(let why):
              if why != .firstNotCommitted {
                logger.warning(
                  "op.apply result refused", metadata: ["doc": "\(id)", "reason": "\(why)"])
              }
            default:
              break
            }
          }
        }
      }
    } catch let error as ProtocolError {
      serverLamport = lamportBefore
      sink.send(
        ServerFrames.nack(clientID, code: error.code, message: error.message), to: connection)
    } catch {
      serverLamport = lamportBefore
      sink.send(ServerFrames.nack(clientID, code: "malformed", message: "\(error)"), to: connection)
    }
  }

  /// Decodes and checks an op.apply, runs its plugin, and builds the op with its results.
  /// Everything a later step trusts is checked first: the frame's types, the replica, the
  /// lamport (zero or too far ahead is refused before any clock moves), the input ids.
  private func runOperation(_ frame: Data, member: Member) throws -> (Op, [Op]) {
    guard let plugins else {
      throw ProtocolError(code: "unavailable", message: "this server has no plugins loaded")
    }
    let decoded: ApplyFrame
    do {
      decoded = try JSONDecoder().decode(ApplyFrame.self, from: frame)
    } catch let error as DecodingError {
      throw ProtocolError(
        code: "malformed", message: "op.apply: \(LatitudeServer.describe(error))")
    }
    let applyID = decoded.op.id
    let payload = decoded.op.payload
    guard applyID.replica == member.replica else {
      throw ProtocolError(
        code: "wrong_replica",
        message: "op replica '\(applyID.replica)' is not this connection's '\(member.replica)'")
    }
    let validator = OpValidator()
    do throws(ValidationError) {
      guard applyID.lamport > 0 else { throw .zeroLamport }
      try validator.checkLamport(applyID, documentLamport: state.maxLamport)
    } catch {
      throw ProtocolError(code: error.code, message: error.description)
    }
    let params = payload.params ?? .object([:])
    guard case .object = params else {
      throw ProtocolError(code: "malformed", message: "params must be a JSON object")
    }
    let name = payload.operation
    let inputIDs = payload.inputs ?? []
    guard inputIDs.count <= validator.limits.maxListLength else {
      throw ProtocolError(
        code: "too_many", message: "inputs has more than \(validator.limits.maxListLength) entries")
    }
    let inputs = inputIDs.map(NodeID.init)
    let latents = try inputs.map { node in
      guard let live = state.node(node) else {
        throw ProtocolError(code: "unknown_node", message: "no node with id '\(node)'")
      }
      return live.latent.floats
    }
    let axes = state.axes.map {
      OperationAxis(
        id: $0.id.rawValue, direction: $0.direction.floats,
        negativeMean: $0.calibration.negativeMean, positiveMean: $0.calibration.positiveMean)
    }
    let output: OperationOutput
    do {
      output = try plugins.run(name, inputs: latents, params: params, axes: axes)
    } catch {
      let code: String
      switch error {
      case .unknownOperation: code = "unknown_operation"
      case .badInputs, .badParams: code = "bad_params"
      case .timedOut: code = "timed_out"
      case .disabled: code = "plugin_disabled"
      case .failed: code = "operation_failed"
      }
      throw ProtocolError(code: code, message: error.description)
    }
    let plugin = plugins.operation(name)?.plugin ?? "unknown"
    // Results sort after the op.apply (whose lamport passed the lead check above).
    func resultOp(_ payload: OpPayload) -> Op { serverOp(payload, above: applyID.lamport) }
    let stem = "\(name)-\(applyID.replica.rawValue)-\(applyID.lamport)"
    var results: [Op] = []
    var outputs: [String] = []
    switch output.kind {
    case .nodes where name == "move-along-axes":
      let coordinates = Self.targets(params).compactMap { axis, value in
        state.axis(AxisID(axis)).map { _ in AxisCoordinate(axis: AxisID(axis), value: value) }
      }
      for (node, vector) in zip(inputs, output.vectors) {
        results.append(
          resultOp(
            .nodeMove(
              NodeMove(node: node, coordinates: coordinates, latent: LatentVector(vector)))))
        outputs.append(node.rawValue)
      }
    case .nodes:
      let kind: NodeOrigin.Kind = name == "mix" ? .mixed : name == "blur" ? .sampled : .derived
      for (index, vector) in output.vectors.enumerated() {
        let node = NodeID("\(stem)-\(index)")
        results.append(
          resultOp(
            .nodeCreate(
              NodeCreate(
                node: node, text: nil, latent: LatentVector(vector),
                origin: NodeOrigin(kind: kind, parents: inputs)))))
        outputs.append(node.rawValue)
      }
    case .axes:
      for (index, (vector, calibration)) in zip(output.vectors, output.calibrations).enumerated() {
        let axis = AxisID("\(stem)-pc\(index + 1)")
        results.append(
          resultOp(
            .axisCreate(
              AxisCreate(
                axis: axis, name: "PC\(index + 1)", poles: AxisPoles(negative: "−", positive: "+"),
                provider: "plugin:\(plugin)/\(name)", params: .object([:]),
                direction: LatentVector(vector),
                calibration: AxisCalibration(
                  negativeMean: calibration.negative, positiveMean: calibration.positive)))))
        outputs.append(axis.rawValue)
      }
      if outputs.count >= 2 {
        results.append(
          resultOp(
            .viewBind(
              ViewBind(x: .bind(AxisID(outputs[0])), y: .bind(AxisID(outputs[1]))))))
      }
    }
    let apply = Op(
      id: applyID, actor: member.actor,
      payload: .opApply(
        OpApply(
          plugin: plugin, operation: name, params: params, inputs: inputs,
          outputs: outputs.map(NodeID.init))))
    return (apply, results)
  }

  private static func targets(_ params: JSONValue) -> [(String, Float)] {
    guard case .object(let members) = params, case .object(let targets)? = members["targets"] else {
      return []
    }
    return targets.sorted { $0.key < $1.key }.compactMap { key, value in
      if case .number(let number) = value { return (key, Float(number)) }
      return nil
    }
  }
}
