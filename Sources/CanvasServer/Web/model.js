// The client's mirror of a document: nodes with their axis coordinates, axes, the view.
// Live ops carry each node's coordinates (computed by the server); a full refresh reads
// the state with latents over REST and projects them here.

export function fp16ToFloats(base64) {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const view = new DataView(bytes.buffer);
  const out = new Float32Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) {
    const h = view.getUint16(i * 2, true);
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    out[i] = exponent === 0 ? sign * 2 ** -14 * (fraction / 1024)
      : exponent === 31 ? (fraction ? NaN : sign * Infinity)
      : sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
  }
  return out;
}

function dot(a, b) {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

export function calibrated(raw, calibration) {
  const span = calibration.positiveMean - calibration.negativeMean;
  return span === 0 ? 0 : (2 * (raw - calibration.negativeMean)) / span - 1;
}

export class DocumentModel {
  constructor() {
    this.clear();
  }

  clear() {
    this.nodes = new Map();
    this.axes = new Map();
    this.view = { x: null, y: null };
    this.seq = 0;
    this.maxLamport = 0;
  }

  // A snapshot frame's state (nodes carry coords).
  loadSnapshot(seq, state) {
    this.clear();
    this.seq = seq;
    this.maxLamport = state.maxLamport || 0;
    for (const axis of state.axes || []) this.axes.set(axis.id, { id: axis.id, name: axis.name, poles: axis.poles });
    for (const node of state.nodes || []) this.nodes.set(node.id, this.nodeFromState(node, node.coords || {}));
    this.view = { x: state.view?.x ?? null, y: state.view?.y ?? null };
  }

  nodeFromState(node, coords) {
    return {
      id: node.id, text: node.text ?? null, coords, origin: node.origin,
      fidelity: node.fidelity ?? null, source: node.decode?.source ?? null,
      runnersUp: node.decode?.runnersUp ?? [], pending: !!node.textIsStale || node.text == null,
      lastReplica: node.latentWrite?.replica,
    };
  }

  // A REST state with latents: project every node on every axis here.
  loadState(state) {
    this.clear();
    this.seq = state.seq;
    this.maxLamport = state.maxLamport || 0;
    const axes = (state.axes || []).map((a) => ({ ...a, vector: a.direction ? fp16ToFloats(a.direction) : null }));
    for (const axis of axes) this.axes.set(axis.id, { id: axis.id, name: axis.name, poles: axis.poles });
    for (const node of state.nodes || []) {
      const latent = node.latent ? fp16ToFloats(node.latent) : null;
      const textLatent = node.textLatent ? fp16ToFloats(node.textLatent) : null;
      const coords = {};
      for (const axis of axes) {
        if (!axis.vector || !latent) continue;
        coords[axis.id] = { at: calibrated(dot(latent, axis.vector), axis.calibration) };
        if (textLatent) coords[axis.id].text = calibrated(dot(textLatent, axis.vector), axis.calibration);
      }
      const entry = this.nodeFromState(node, coords);
      entry.latent = node.latent;
      this.nodes.set(node.id, entry);
    }
    this.view = { x: state.view?.x ?? null, y: state.view?.y ?? null };
  }

  // Applies one committed op frame; returns true when a full refresh is needed.
  apply(seq, op) {
    const refresh = this.applyPayload(seq, op);
    if (["node.create", "node.move", "node.setText"].includes(op.kind)) {
      this.noteWriter(op.payload.node, op.id.replica, op.actor);
    }
    return refresh;
  }

  applyPayload(seq, op) {
    this.seq = Math.max(this.seq, seq);
    this.maxLamport = Math.max(this.maxLamport, op.id.lamport);
    const p = op.payload;
    switch (op.kind) {
      case "node.create":
        this.nodes.set(p.node, {
          id: p.node, text: p.text ?? null, coords: p.coords || {}, origin: p.origin,
          fidelity: p.text ? 1 : null, source: null, runnersUp: [], pending: p.text == null,
        });
        return false;
      case "node.move": {
        const node = this.nodes.get(p.node);
        if (node) Object.assign(node, { coords: p.coords || node.coords, pending: true });
        return false;
      }
      case "node.setText": {
        const node = this.nodes.get(p.node);
        if (node) Object.assign(node, { text: p.text, coords: p.coords || node.coords, pending: false, fidelity: 1, source: null, runnersUp: [] });
        return false;
      }
      case "node.decoded": {
        const node = this.nodes.get(p.node);
        if (node) {
          Object.assign(node, {
            text: p.text, coords: p.coords || node.coords, pending: false,
            fidelity: p.fidelity, source: p.source, runnersUp: p.runnersUp || [],
          });
        }
        return false;
      }
      case "node.delete":
        this.nodes.delete(p.node);
        return false;
      case "view.bind":
        if ("x" in p) this.view.x = p.x;
        if ("y" in p) this.view.y = p.y;
        return false;
      case "axis.create":
      case "axis.update":
      case "axis.delete":
        return true;
      default:
        return false;
    }
  }

  // Who last wrote a node's latent or text (undo will not take back their work).
  noteWriter(id, replica, actor) {
    const node = this.nodes.get(id);
    if (node) Object.assign(node, { lastReplica: replica, lastActor: actor });
  }

  // Screen-space position of a node on the bound axes ([x, y] in axis units).
  position(node) {
    const x = this.view.x ? node.coords[this.view.x]?.at ?? 0 : 0;
    const y = this.view.y ? node.coords[this.view.y]?.at ?? 0 : 0;
    return [x, y];
  }

  textPosition(node) {
    const x = this.view.x ? node.coords[this.view.x]?.text : undefined;
    const y = this.view.y ? node.coords[this.view.y]?.text : undefined;
    if (x === undefined && y === undefined) return null;
    return [x ?? 0, y ?? 0];
  }
}
