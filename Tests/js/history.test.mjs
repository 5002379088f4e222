// Unit tests of the history list's descriptions (Sources/CanvasServer/Web/history.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { describeAll, formatTime, nodeTrail } from "../../Sources/CanvasServer/Web/history.js";

const line = (seq, actor, kind, payload, at) => ({ seq, at, op: { id: { lamport: seq, replica: actor }, actor, kind, payload } });

test("changes are described with the node's text and the pole it moved towards", () => {
  const entries = describeAll([
    line(1, "ada", "axis.create", { axis: "s", name: "Sentiment", poles: { negative: "negative", positive: "positive" } }, 1000),
    line(2, "ada", "view.bind", { x: "s" }),
    line(3, "bob", "node.create", { node: "n", text: "My flight was delayed for six hours and nobody told us why." }),
    line(4, "bob", "node.move", { node: "n", coordinates: [{ axis: "s", value: 1.5 }] }),
    line(5, "latitude", "node.decoded", { node: "n", text: "My flight was wonderful." }),
    line(6, "ada", "node.move", { node: "n", coordinates: [{ axis: "s", value: -0.5 }] }),
    line(7, "ada", "node.setText", { node: "n", text: "A fine flight." }),
    line(8, "latitude", "view.layout", { method: "umap", params: {}, positions: [{ node: "n", x: 0, y: 0 }] }),
    line(9, "latitude", "view.layout", { run: { lamport: 8, replica: "latitude" }, method: "umap", params: {}, positions: [{ node: "n", x: 1, y: 1 }] }),
    line(10, "bob", "node.delete", { node: "n" }),
  ]);
  assert.deepEqual(entries.map((e) => e.text), [
    "added the axis “Sentiment”",
    "put “Sentiment” on x",
    "added “My flight was delayed for six hours and…”",
    "moved “My flight was delayed for six hours and…” towards positive (Sentiment)",
    "decoded “My flight was delayed for six hours and…” as “My flight was wonderful.”",
    "moved “My flight was wonderful.” towards negative (Sentiment)",
    "edited “My flight was wonderful.” to “A fine flight.”",
    "computed a UMAP map of 1 node",
    "placed “A fine flight.” on the map",
    "deleted “A fine flight.”",
  ]);
  assert.equal(entries[0].at, 1000);
  assert.equal(entries[1].at, null);
  assert.deepEqual(entries.map((e) => e.actor).slice(2, 5), ["bob", "bob", "latitude"]);
});

test("times show the date only when it is not today", () => {
  const now = new Date(2026, 11, 1, 15, 0, 0);
  assert.ok(!formatTime(new Date(2026, 11, 1, 14, 3, 27).getTime(), now).includes("2026"));
  assert.ok(formatTime(new Date(2026, 10, 20, 9, 0, 0).getTime(), now).length > 8);
  assert.equal(formatTime(null, now), "");
});

test("a node's trail is its moves in order, each with the text decoded for it", () => {
  const move = (seq, lamport, value) => ({ seq, op: { id: { lamport, replica: "r" }, actor: "a", kind: "node.move", payload: { node: "n", coordinates: [{ axis: "s", value }] } } });
  const decoded = (seq, lamport, text) => ({ seq, op: { id: { lamport: seq, replica: "latitude" }, actor: "latitude", kind: "node.decoded", payload: { node: "n", answers: { lamport, replica: "r" }, text } } });
  const lines = [move(1, 10, 0.5), move(2, 11, 1.5), decoded(3, 10, "first"), decoded(4, 11, "second"), move(5, 12, -1)];
  assert.deepEqual(nodeTrail(lines, "n", 4).map((p) => [p.coords.s, p.text]), [[0.5, "first"], [1.5, "second"]]);
  assert.equal(nodeTrail(lines, "n", 5).length, 3);
  assert.equal(nodeTrail(lines, "other", 5).length, 0);
});

test("feature names and steering are described", () => {
  const entries = describeAll([
    line(1, "bob", "node.create", { node: "n", text: "The soup was cold." }),
    line(2, "ada", "feature.name", { dictionary: "d", feature: 7, name: "kitchen talk" }),
    line(3, "ada", "feature.name", { dictionary: "d", feature: 7, name: "" }),
    line(4, "ada", "op.apply", { operation: "feature-steer", params: { feature: 7 }, inputs: ["n"] }),
  ]);
  assert.deepEqual(entries.map((e) => e.text).slice(1), [
    "named feature 7 “kitchen talk”",
    "cleared the name of feature 7",
    "steered feature 7 on “The soup was cold.”",
  ]);
});

test("plugin restrictions and plugin versions are described", () => {
  const entries = describeAll([
    line(1, "ada", "plugins.allow", { plugins: ["builtin-ops", "wasm:*"] }),
    line(2, "ada", "plugins.allow", {}),
    line(3, "bob", "op.apply", { plugin: "example-extrapolate@0.1.0", operation: "extrapolate", inputs: ["a", "b"] }),
  ]);
  assert.deepEqual(entries.map((e) => e.text), [
    "allowed only the plugins builtin-ops, wasm:*",
    "lifted the plugin restriction",
    "ran extrapolate on 2 nodes (example-extrapolate@0.1.0)",
  ]);
});
