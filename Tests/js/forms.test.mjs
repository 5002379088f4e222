// Unit tests of the operations form (Sources/CanvasServer/Web/forms.js): what each operation
// needs selected, and the op.apply payload it sends.
import { test } from "node:test";
import assert from "node:assert/strict";
import { operationRequest } from "../../Sources/CanvasServer/Web/forms.js";

const values = { mixWeight: 0.25, blurRadius: 0.3, blurCount: 3, seed: 7 };

test("a mix of two weighs them by the slider; of more, equally", () => {
  assert.deepEqual(operationRequest("mix", ["a", "b"], values).payload,
    { plugin: "builtin-ops", operation: "mix", params: { weights: [0.75, 0.25] }, inputs: ["a", "b"], outputs: [] });
  assert.deepEqual(operationRequest("mix", ["a", "b", "c"], values).payload.params, {});
});

test("too few selected nodes is a clear error, not a request", () => {
  assert.equal(operationRequest("mix", ["a"], values).error, "mix needs at least 2 selected nodes");
  assert.equal(operationRequest("blur", [], values).error, "blur needs at least 1 selected node");
  assert.match(operationRequest("analogy", ["a", "b", "c", "d"], values).error, /exactly 3/);
  assert.equal(operationRequest("pca-layout", ["a", "b"], values).error, "pca-layout needs at least 3 selected nodes");
});

test("blur sends its radius, count and seed; analogy keeps the order picked", () => {
  assert.deepEqual(operationRequest("blur", ["a"], values).payload.params, { radius: 0.3, count: 3, seed: 7 });
  assert.deepEqual(operationRequest("analogy", ["c", "a", "b"], values).payload.inputs, ["c", "a", "b"]);
});
