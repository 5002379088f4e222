// Unit tests of "restore to here" (Sources/CanvasServer/Web/scrubber.js): the ops that bring
// the present back to an earlier state, appended rather than rewriting history.
import { test } from "node:test";
import assert from "node:assert/strict";
import { restoreOps } from "../../Sources/CanvasServer/Web/scrubber.js";

const node = (text, coords = {}, latent = "AAAA") => ({ text, coords, latent });
const doc = (nodes, axes = ["mood"]) => ({ nodes: new Map(Object.entries(nodes)), axes: new Map(axes.map((a) => [a, {}])) });

test("nodes made since are deleted, nodes deleted since come back under new ids", () => {
  const past = doc({ a: node("kept"), gone: node("was here") });
  const now = doc({ a: node("kept"), fresh: node("new") });
  assert.deepEqual(restoreOps(now, past, (id) => `${id}-r1`), [
    ["node.delete", { node: "fresh" }],
    ["node.create", { node: "gone-r1", origin: { kind: "restored", parents: ["gone"] }, latent: "AAAA", text: "was here" }],
  ]);
});

test("a node whose text changed moves back along the axes that still exist", () => {
  const past = doc({ a: node("calm", { mood: { at: -0.5 }, dropped: { at: 2 } }) });
  const now = doc({ a: node("angry", { mood: { at: 1.2 } }) });
  assert.deepEqual(restoreOps(now, past, () => "x"), [
    ["node.move", { node: "a", coordinates: [{ axis: "mood", value: -0.5 }] }],
  ]);
});

test("the present already equal to the past needs no ops", () => {
  const state = doc({ a: node("same", { mood: { at: 0 } }) });
  assert.deepEqual(restoreOps(state, state, () => "x"), []);
});
