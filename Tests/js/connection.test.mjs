// Unit tests of the reconnect policy (Sources/CanvasServer/Web/connection.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { MOVED_CLOSE_CODE, reconnectDelay } from "../../Sources/CanvasServer/Web/connection.js";

test("a document that moved to another node reconnects within 100–300 ms, whatever the attempt", () => {
  assert.equal(reconnectDelay(MOVED_CLOSE_CODE, 9, () => 0), 100);
  assert.equal(reconnectDelay(MOVED_CLOSE_CODE, 0, () => 0.999), 299);
});

test("other closes back off exponentially from 300 ms to at most 5 s", () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((n) => reconnectDelay(1006, n)), [300, 600, 1200, 2400, 4800, 5000]);
  assert.equal(reconnectDelay(1001, 40), 5000);
});
