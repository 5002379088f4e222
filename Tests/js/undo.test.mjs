// Unit tests of per-user undo and redo (Sources/CanvasServer/Web/undo.js) on the real
// document model, with the ops it sends recorded instead of sent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { webcrypto } from "node:crypto";
import { DocumentModel } from "../../Sources/CanvasServer/Web/model.js";
import { UndoHistory } from "../../Sources/CanvasServer/Web/undo.js";

globalThis.crypto ??= webcrypto; // Node 18 has no global crypto

function setUp() {
  const model = new DocumentModel();
  const sent = [];
  const notes = [];
  let lamport = 0;
  // Our own ops are applied as the server would confirm them.
  const undo = new UndoHistory({
    model: () => model, replica: "me",
    sendOp: (kind, payload) => {
      sent.push({ kind, payload });
      lamport += 1;
      const coords = payload.coordinates
        ? Object.fromEntries(payload.coordinates.map(({ axis, value }) => [axis, { at: value }]))
        : undefined;
      model.apply(lamport, { id: { lamport, replica: "me" }, actor: "alice", kind, payload: { ...payload, coords: coords ?? payload.coords } });
    },
    notify: (message) => notes.push(message),
  });
  const peer = (kind, payload) => {
    lamport += 1;
    model.apply(lamport, { id: { lamport, replica: "bob-r" }, actor: "bob", kind, payload });
  };
  return { model, sent, notes, undo, peer };
}

test("undoing a create deletes the node; redo brings it back under a new id", () => {
  const { model, sent, undo } = setUp();
  undo.perform("node.create", { node: "n", text: "hello", origin: { kind: "typed", parents: [] } });
  undo.undo();
  assert.deepEqual(sent.at(-1), { kind: "node.delete", payload: { node: "n" } });
  assert.equal(model.nodes.size, 0);
  assert.ok(undo.canRedo);
  undo.redo();
  const restored = sent.at(-1);
  assert.equal(restored.kind, "node.create");
  assert.notEqual(restored.payload.node, "n");
  assert.equal(restored.payload.text, "hello");
  assert.deepEqual(restored.payload.origin, { kind: "restored", parents: ["n"] });
});

test("undoing a move puts the node back on the axes it moved along", () => {
  const { sent, undo } = setUp();
  undo.perform("node.create", { node: "n", text: "hi", coords: { x: { at: 0.25 } } });
  undo.perform("node.move", { node: "n", coordinates: [{ axis: "x", value: 1.5 }] });
  undo.undo();
  assert.deepEqual(sent.at(-1), { kind: "node.move", payload: { node: "n", coordinates: [{ axis: "x", value: 0.25 }] } });
  undo.redo();
  assert.deepEqual(sent.at(-1), { kind: "node.move", payload: { node: "n", coordinates: [{ axis: "x", value: 1.5 }] } });
});

test("a change someone else made since is never undone", () => {
  const { model, sent, notes, undo, peer } = setUp();
  undo.perform("node.create", { node: "n", text: "hi", coords: { x: { at: 0 } } });
  undo.perform("node.move", { node: "n", coordinates: [{ axis: "x", value: 1 }] });
  peer("node.move", { node: "n", coords: { x: { at: -1 } } });
  const before = sent.length;
  undo.undo();
  assert.equal(sent.length, before, "nothing was sent");
  assert.match(notes.at(-1), /bob has changed that node since/);
  assert.equal(model.nodes.get("n").coords.x.at, -1);
});

test("later steps follow a node restored under a new id", () => {
  const { sent, undo } = setUp();
  undo.perform("node.create", { node: "n", text: "hi", coords: { x: { at: 0 } } });
  undo.perform("node.move", { node: "n", coordinates: [{ axis: "x", value: 1 }] });
  undo.undo(); // the move
  undo.undo(); // the create
  undo.redo(); // the create, as a restore
  const id = sent.at(-1).payload.node;
  undo.redo(); // the move, on the restored node
  assert.equal(sent.at(-1).kind, "node.move");
  assert.equal(sent.at(-1).payload.node, id);
});

test("a node moved since its latent was known comes back where it was moved to, not from the old latent", () => {
  const { model, sent, undo, peer } = setUp();
  undo.perform("node.create", { node: "n", latent: "AAAA", origin: { kind: "typed", parents: [] }, coords: { x: { at: 0.25 } } });
  model.apply(99, { id: { lamport: 99, replica: "me" }, actor: "alice", kind: "view.bind", payload: { x: "x" } });
  model.nodes.get("n").text = "hi";
  peer("node.move", { node: "n", coords: { x: { at: 1.5 } } });
  assert.equal(model.nodes.get("n").latent, undefined, "the old latent is dropped");
  undo.perform("node.delete", { node: "n" });
  undo.undo();
  const [create, move] = sent.slice(-2);
  assert.equal(create.payload.latent, undefined);
  assert.equal(create.payload.text, "hi", "the last decoded text, though the move is pending");
  assert.deepEqual(move.payload.coordinates, [{ axis: "x", value: 1.5 }]);
});

test("a deleted node without a known latent comes back from its text, then moves to where it was", () => {
  const { model, sent, undo } = setUp();
  undo.perform("node.create", { node: "n", text: "hi", coords: { x: { at: 0.75 } } });
  model.apply(99, { id: { lamport: 99, replica: "me" }, actor: "alice", kind: "view.bind", payload: { x: "x" } });
  undo.perform("node.delete", { node: "n" });
  undo.undo();
  const [create, move] = sent.slice(-2);
  assert.equal(create.kind, "node.create");
  assert.equal(create.payload.text, "hi");
  assert.deepEqual(move, { kind: "node.move", payload: { node: create.payload.node, coordinates: [{ axis: "x", value: 0.75 }] } });
});
