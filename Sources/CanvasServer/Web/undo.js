// Undo and redo of your own changes, per person. Undoing never rewrites history: it
// appends the ops that put back what your change altered (computed from the document as
// it was just before), and it refuses to undo a change to a node someone else has changed
// since, so it never undoes other people's work. Redo re-applies what an undo took back.

const SERVER = "latitude-server"; // decodes and operation results are not anyone's edit

export class UndoHistory {
  // `model()` the live document model; `actor` your name; `sendOp(kind, payload)` sends an
  // op; `notify(message)` tells the user why nothing happened; `changed()` after a change.
  // `replica` your replica id (whose writes are yours).
  constructor({ model, replica, sendOp, notify, changed }) {
    Object.assign(this, { model, replica, sendOp, notify, changed: changed || (() => {}) });
    this.undoStack = [];
    this.redoStack = [];
    this.renamed = new Map(); // node id → the id it was restored under
  }

  get canUndo() { return this.undoStack.length > 0; }
  get canRedo() { return this.redoStack.length > 0; }

  // The ops that undo `kind, payload` if it were sent now; null when it cannot be undone.
  inverse(kind, payload) {
    const m = this.model();
    const node = payload.node ? m.nodes.get(this.current(payload.node)) : undefined;
    switch (kind) {
      case "node.create":
        return [{ kind: "node.delete", payload: { node: payload.node } }];
      case "node.delete": {
        // Back under a new id: with its latent when known, else its text and then a move
        // to where it was on the bound axes.
        if (!node || (!node.latent && !node.text)) return null;
        const restored = { node: `${payload.node}-u${crypto.randomUUID().slice(0, 4)}`, origin: { kind: "restored", parents: [payload.node] } };
        if (node.latent) restored.latent = node.latent;
        // A pending node's text is its last decoded one: used only when no latent is known.
        if (node.text && (!node.pending || !node.latent)) restored.text = node.text;
        const ops = [{ kind: "node.create", payload: restored, restores: payload.node }];
        const coordinates = [m.view.x, m.view.y].filter(Boolean)
          .filter((axis) => Number.isFinite(node.coords[axis]?.at))
          .map((axis) => ({ axis, value: node.coords[axis].at }));
        if (!node.latent && coordinates.length) ops.push({ kind: "node.move", payload: { node: payload.node, coordinates } });
        return ops;
      }
      case "node.setText":
        return node?.text ? [{ kind: "node.setText", payload: { node: payload.node, text: node.text } }] : null;
      case "node.move": {
        if (!node) return null;
        const coordinates = payload.coordinates
          .map(({ axis }) => ({ axis, value: node.coords[axis]?.at }))
          .filter(({ value }) => Number.isFinite(value));
        return coordinates.length ? [{ kind: "node.move", payload: { node: payload.node, coordinates } }] : null;
      }
      case "view.bind": {
        const back = {};
        for (const slot of ["x", "y"]) if (slot in payload) back[slot] = m.view[slot];
        return [{ kind: "view.bind", payload: back }];
      }
      default:
        return null;
    }
  }

  // Sends a change of yours and remembers how to undo it (`inverse` when it was computed
  // earlier, e.g. at the start of a drag).
  perform(kind, payload, inverse = this.inverse(kind, payload)) {
    this.send([{ kind, payload }]);
    this.record([{ kind, payload }], inverse);
  }

  // Remembers a change that was already sent (a drag's moves) and how to undo it.
  record(forward, inverse) {
    if (inverse) {
      this.undoStack.push({ forward, inverse });
      this.redoStack = [];
    }
    this.changed();
  }

  undo() { this.replay(this.undoStack, this.redoStack, "undo"); }
  redo() { this.replay(this.redoStack, this.undoStack, "redo"); }

  replay(from, to, word) {
    const entry = from.pop();
    if (!entry) return;
    const other = this.touchedByOthers(entry.inverse);
    if (other) {
      this.notify(`nothing to ${word}: ${other} has changed that node since`);
      this.changed();
      return;
    }
    // What takes this back again, computed before it is sent.
    const back = entry.inverse.flatMap((op) => this.inverse(op.kind, op.payload) || []);
    this.send(entry.inverse);
    to.push({ forward: entry.inverse, inverse: back });
    this.changed();
  }

  // The other person who last changed a node these ops touch, if any.
  touchedByOthers(ops) {
    for (const op of ops) {
      if (op.kind === "node.create" || !op.payload.node) continue;
      const node = this.model().nodes.get(this.current(op.payload.node));
      if (node?.lastReplica && node.lastReplica !== this.replica && node.lastReplica !== SERVER) {
        return node.lastActor || "someone else";
      }
    }
    return null;
  }

  send(ops) {
    for (const op of ops) {
      const payload = { ...op.payload };
      if (payload.node && op.kind !== "node.create") payload.node = this.current(payload.node);
      if (op.restores) this.renamed.set(op.restores, payload.node);
      this.sendOp(op.kind, payload);
    }
  }

  // The id a node has now (after restores).
  current(id) {
    const seen = new Set();
    while (this.renamed.has(id) && !seen.has(id)) {
      seen.add(id);
      id = this.renamed.get(id);
    }
    return id;
  }
}
