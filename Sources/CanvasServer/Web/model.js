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
    this.map = null;
    this.featureNames = {};
  }

  // The document's names for features ({dictionary: {id: name}}), from a state or snapshot.
  loadFeatureNames(names) {
    this.featureNames = {};
    for (const [dictionary, byId] of Object.entries(names || {})) this.featureNames[dictionary] = { ...byId };
  }

  // The document's name for a feature, or null when nobody named it.
  featureName(dictionary, id) {
    return this.featureNames[dictionary]?.[String(id)] ?? null;
  }

  // The map of a snapshot or REST state ({run, method, params, positions: {id: [x, y]}}).
  loadMap(map) {
    this.map = map ? { run: map.run, method: map.method, params: map.params, positions: new Map(Object.entries(map.positions || {})) } : null;
    this.frameMap();
  }

  // The map's positions are in the method's own units: centre them and scale them to about
  // ±2 (the axes' range), once per full layout, so placements never shift the others.
  frameMap() {
    if (!this.map) return;
    const points = [...this.map.positions.values()];
    if (!points.length) {
      this.map.frame = { cx: 0, cy: 0, s: 1 };
      return;
    }
    const xs = points.map((p) => p[0]);
    const ys = points.map((p) => p[1]);
    const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const span = Math.max(maxX - minX, maxY - minY, 1e-6);
    this.map.frame = { cx: (minX + maxX) / 2, cy: (minY + maxY) / 2, s: span / 4 };
  }

  // A node's map position in view units, or null when it is not placed yet.
  mapPosition(node) {
    const raw = this.map?.positions.get(node.id);
    if (!raw) return null;
    const { cx, cy, s } = this.map.frame;
    return [(raw[0] - cx) / s, (raw[1] - cy) / s];
  }

  // View units back to the map's own (for a drop on the map).
  toMapUnits([x, y]) {
    const { cx, cy, s } = this.map.frame;
    return [x * s + cx, y * s + cy];
  }

  // A snapshot frame's state (nodes carry coords).
  loadSnapshot(seq, state) {
    this.clear();
    this.seq = seq;
    this.maxLamport = state.maxLamport || 0;
    for (const axis of state.axes || []) this.axes.set(axis.id, { id: axis.id, name: axis.name, poles: axis.poles });
    for (const node of state.nodes || []) this.nodes.set(node.id, this.nodeFromState(node, node.coords || {}));
    this.view = { x: state.view?.x ?? null, y: state.view?.y ?? null };
    this.loadMap(state.map);
    this.loadFeatureNames(state.featureNames);
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
    this.loadMap(state.map);
    this.loadFeatureNames(state.featureNames);
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
      // A move or a new text changes the node's latent, which op frames do not carry: the
      // latent known from before is dropped (undo then restores from text and coordinates).
      case "node.move": {
        const node = this.nodes.get(p.node);
        if (node) Object.assign(node, { coords: p.coords || node.coords, pending: true, latent: p.latent });
        return false;
      }
      case "node.setText": {
        const node = this.nodes.get(p.node);
        if (node) Object.assign(node, { text: p.text, coords: p.coords || node.coords, pending: false, fidelity: 1, source: null, runnersUp: [], latent: p.latent });
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
      case "view.layout":
        this.applyLayout(op.id, p);
        return false;
      case "feature.name": {
        // Last writer wins per feature: live ops arrive in log order, so the latest is last.
        const names = (this.featureNames[p.dictionary] ??= {});
        if (p.name) names[String(p.feature)] = p.name;
        else delete names[String(p.feature)];
        return false;
      }
      case "axis.create":
      case "axis.update":
        return this.applyAxis(p);
      case "axis.delete":
        this.axes.delete(p.axis);
        for (const node of this.nodes.values()) delete node.coords[p.axis];
        // A slot bound to an axis that is not live reads as unbound (as on the server).
        for (const slot of ["x", "y"]) if (this.view[slot] === p.axis) this.view[slot] = null;
        return false;
      default:
        return false;
    }
  }

  // An axis op as the server sends it: the logged name and poles, and every live node's
  // coordinate on the axis (axisCoords). Without them (an older server, a duplicate's ack)
  // the caller refetches the document.
  applyAxis(p) {
    if (!p.axisCoords) return true;
    const axis = this.axes.get(p.axis) || { id: p.axis };
    if (p.name !== undefined) axis.name = p.name;
    if (p.poles !== undefined) axis.poles = p.poles;
    this.axes.set(p.axis, axis);
    for (const node of this.nodes.values()) {
      const entry = p.axisCoords[node.id];
      if (entry) node.coords[p.axis] = { ...entry };
      else delete node.coords[p.axis];
    }
    return false;
  }

  // A full layout replaces the map; a placement into the current one adds or moves nodes.
  applyLayout(id, p) {
    const positions = p.positions.map((q) => [q.node, [q.x, q.y]]);
    if (!p.run) {
      this.map = { run: id, method: p.method, params: p.params, positions: new Map(positions) };
      this.frameMap();
    } else if (this.map && this.map.run.lamport === p.run.lamport && this.map.run.replica === p.run.replica) {
      for (const [node, position] of positions) this.map.positions.set(node, position);
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
