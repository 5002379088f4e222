// Unit tests of the People list's state (Sources/CanvasServer/Web/people.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { DRAG_PRESENCE_MS, PeopleList } from "../../Sources/CanvasServer/Web/people.js";

function list() {
  let now = 1000;
  const people = new PeopleList(null, {
    actor: "ada", nodeText: (id) => ({ n1: "My flight was delayed for six hours." })[id], now: () => now,
  });
  return { people, advance: (ms) => { now += ms; } };
}

test("you come first, then peers with what they drag", () => {
  const { people } = list();
  people.onPresence({ from: 7, actor: "bob" });
  people.onDrag({ from: 7, actor: "bob", node: "n1" });
  assert.deepEqual(people.entries().map((e) => e.text), ["ada (you)", "bob — dragging My flight was delayed fo"]);
});

test("a drag stops showing once its frames stop, and a leaver is gone", () => {
  const { people, advance } = list();
  people.onDrag({ from: 7, actor: "bob", node: "n1" });
  people.onPresence({ from: 8, actor: "cy", dragging: "n2" });
  advance(DRAG_PRESENCE_MS + 1);
  assert.equal(people.expire(), true);
  assert.deepEqual(people.entries().map((e) => e.text), ["ada (you)", "bob", "cy"]);
  assert.equal(people.expire(), false, "nothing left to expire");
  people.onPresence({ from: 8, left: true, actor: "cy" });
  assert.deepEqual(people.entries().map((e) => e.text), ["ada (you)", "bob"]);
});

test("presence that keeps naming the same drag keeps its first sighting", () => {
  const { people, advance } = list();
  people.onPresence({ from: 7, actor: "bob", dragging: "n1" });
  advance(DRAG_PRESENCE_MS - 100);
  people.onPresence({ from: 7, actor: "bob", dragging: "n1" });
  advance(200);
  assert.equal(people.expire(), true, "a repeated presence does not extend a drag; drag frames do");
});
