// Unit tests of the canvas's document model (Sources/CanvasServer/Web/model.js), run by
// `make test` with Node's built-in runner: `node --test Tests/js/`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { DocumentModel, calibrated, fp16ToFloats } from "../../Sources/CanvasServer/Web/model.js";

const fixture = JSON.parse(readFileSync(new URL("../Fixtures/projection.json", import.meta.url)));
const op = (lamport, kind, payload) => ({ id: { lamport, replica: "r" }, actor: "a", kind, payload });

test("fp16 decoding matches IEEE half precision", () => {
  // 1.0, -2.0, 0.5, the smallest subnormal, +infinity
  const bytes = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x3800, 0x0001, 0x7c00]).buffer);
  const values = fp16ToFloats(Buffer.from(bytes).toString("base64"));
  assert.deepEqual([...values.slice(0, 3)], [1, -2, 0.5]);
  assert.ok(Math.abs(values[3] - 2 ** -24) < 1e-12);
  assert.equal(values[4], Infinity);
});

test("calibration maps the pole means to -1 and +1, and a zero span to 0", () => {
  const c = { negativeMean: -0.2, positiveMean: 0.3 };
  assert.ok(Math.abs(calibrated(-0.2, c) + 1) < 1e-12);
  assert.ok(Math.abs(calibrated(0.3, c) - 1) < 1e-12);
  assert.equal(calibrated(0.7, { negativeMean: 0.1, positiveMean: 0.1 }), 0);
});

test("projections from latents match the Swift fold on the shared fixture", () => {
  const model = new DocumentModel();
  model.loadState({
    seq: 3,
    axes: fixture.axes.map((a) => ({ ...a, name: a.id, poles: { negative: "-", positive: "+" } })),
    nodes: fixture.nodes.map((n) => ({ id: n.id, text: "t", latent: n.latent })),
    view: { x: "a0", y: "a1" },
  });
  for (const node of fixture.nodes) {
    for (const [axis, expected] of Object.entries(node.coords)) {
      const at = model.nodes.get(node.id).coords[axis].at;
      assert.ok(Math.abs(at - expected) < 1e-3, `${node.id} on ${axis}: ${at} vs ${expected}`);
    }
  }
  const first = fixture.nodes[0];
  assert.deepEqual(model.position(model.nodes.get(first.id)).map((v) => +v.toFixed(3)),
    [first.coords.a0, first.coords.a1].map((v) => +v.toFixed(3)));
});

test("live ops update the model; an axis op without coordinates asks for a refresh", () => {
  const model = new DocumentModel();
  assert.equal(model.apply(1, op(1, "node.create", { node: "n", text: "hi", coords: { x: { at: 0.5 } } })), false);
  assert.equal(model.nodes.get("n").pending, false);
  model.apply(2, op(2, "node.move", { node: "n", coords: { x: { at: 1.5 } } }));
  assert.equal(model.nodes.get("n").pending, true, "a move waits for its decode");
  model.apply(3, op(3, "node.decoded", { node: "n", text: "hello", fidelity: 0.8, source: "bank", coords: { x: { at: 1.5, text: 1.2 } } }));
  const node = model.nodes.get("n");
  assert.deepEqual([node.text, node.pending, node.fidelity, node.source], ["hello", false, 0.8, "bank"]);
  model.apply(4, op(4, "view.bind", { x: "x" }));
  assert.deepEqual(model.position(node), [1.5, 0]);
  assert.deepEqual(model.textPosition(node), [1.2, 0]);
  assert.equal(model.apply(5, op(5, "axis.create", { axis: "y" })), true);
  model.apply(6, op(9, "node.delete", { node: "n" }));
  assert.equal(model.nodes.size, 0);
  assert.deepEqual([model.seq, model.maxLamport], [6, 9]);
});

test("axis ops place every node from the op's axisCoords; a delete unbinds its slot", () => {
  const model = new DocumentModel();
  model.apply(1, op(1, "node.create", { node: "a", text: "one", coords: {} }));
  model.apply(2, op(2, "node.create", { node: "b", text: "two", coords: {} }));
  const create = { axis: "s", name: "Sentiment", poles: { negative: "sad", positive: "glad" },
    axisCoords: { a: { at: -0.5, text: -0.25 }, b: { at: 1.5 } } };
  assert.equal(model.apply(3, op(3, "axis.create", create)), false, "no refresh needed");
  assert.deepEqual(model.axes.get("s"), { id: "s", name: "Sentiment", poles: { negative: "sad", positive: "glad" } });
  model.apply(4, op(4, "view.bind", { y: "s" }));
  assert.deepEqual(model.position(model.nodes.get("a")), [0, -0.5]);
  assert.deepEqual(model.textPosition(model.nodes.get("a")), [0, -0.25]);
  assert.deepEqual(model.position(model.nodes.get("b")), [0, 1.5]);
  // An update renames and re-places; a node the server left out has no coordinate there.
  assert.equal(model.apply(5, op(5, "axis.update", { axis: "s", name: "Mood", axisCoords: { a: { at: 0.25 } } })), false);
  assert.equal(model.axes.get("s").name, "Mood");
  assert.equal(model.axes.get("s").poles.positive, "glad", "fields not in the update are kept");
  assert.deepEqual(model.nodes.get("a").coords.s, { at: 0.25 });
  assert.equal(model.nodes.get("b").coords.s, undefined);
  assert.equal(model.apply(6, op(6, "axis.delete", { axis: "s" })), false);
  assert.equal(model.axes.has("s"), false);
  assert.equal(model.view.y, null, "the slot bound to a deleted axis reads as unbound");
  assert.equal(model.nodes.get("a").coords.s, undefined);
});

test("maps: a full layout replaces the map, placements join the current one only", () => {
  const model = new DocumentModel();
  model.apply(1, op(1, "node.create", { node: "a", text: "alpha", origin: { kind: "typed", parents: [] } }));
  const layout = (lamport, run, positions) =>
    op(lamport, "view.layout", { ...(run ? { run } : {}), method: "umap", params: { seed: 1 }, positions });
  model.apply(2, layout(2, null, [{ node: "a", x: 10, y: 20 }, { node: "b", x: 14, y: 20 }]));
  assert.deepEqual(model.map.positions.get("a"), [10, 20]);
  // Framed to about ±2 around the centre: a is left of b, both on the centre line.
  assert.deepEqual(model.mapPosition({ id: "a" }), [-2, 0]);
  assert.deepEqual(model.toMapUnits([2, 0]), [14, 20]);
  // A placement into this layout adds a node without reframing the others.
  model.apply(3, layout(3, { lamport: 2, replica: "r" }, [{ node: "c", x: 12, y: 22 }]));
  assert.deepEqual(model.mapPosition({ id: "c" }), [0, 2]);
  assert.deepEqual(model.mapPosition({ id: "a" }), [-2, 0]);
  // One into an older layout changes nothing; a new full layout replaces everything.
  model.apply(4, layout(4, { lamport: 1, replica: "r" }, [{ node: "a", x: 0, y: 0 }]));
  assert.deepEqual(model.map.positions.get("a"), [10, 20]);
  model.apply(5, layout(5, null, [{ node: "a", x: 1, y: 1 }]));
  assert.equal(model.map.positions.size, 1);
  assert.equal(model.mapPosition({ id: "c" }), null);
  // A state's map (REST or snapshot) loads the same way.
  model.loadState({ seq: 9, nodes: [], axes: [], map: { run: { lamport: 5, replica: "r" }, method: "tsne", params: {}, positions: { a: [3, 4] } } });
  assert.equal(model.map.method, "tsne");
  assert.deepEqual(model.map.positions.get("a"), [3, 4]);
});

test("feature names load from a state, follow live ops, and clear on an empty name", () => {
  const model = new DocumentModel();
  model.loadSnapshot(2, { maxLamport: 2, nodes: [], axes: [], view: {}, featureNames: { d: { 7: "air travel" } } });
  assert.equal(model.featureName("d", 7), "air travel");
  assert.equal(model.featureName("other", 7), null);
  model.apply(3, op(3, "feature.name", { dictionary: "d", feature: 9, name: "food" }));
  model.apply(4, op(4, "feature.name", { dictionary: "d", feature: 7, name: "" }));
  assert.equal(model.featureName("d", 9), "food");
  assert.equal(model.featureName("d", 7), null);
  model.clear();
  assert.equal(model.featureName("d", 9), null);
});
