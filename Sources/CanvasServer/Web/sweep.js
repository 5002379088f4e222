// The sweep panel: the decoded texts of the selected node at evenly spaced coordinates of
// one axis ("watch the meaning change along a direction"), each with its fidelity; any
// step can be dropped onto the canvas as a new node (logged with its latent and origin).

import { reconcileOptions } from "./options.js";

export class SweepPanel {
  // `send(frame)` sends a protocol frame; `sendOp(kind, payload)` an op; `model()` the
  // current document model; `selection()` the selected node ids.
  constructor({ send, sendOp, model, selection }) {
    this.send = send;
    this.sendOp = sendOp;
    this.model = model;
    this.selection = selection;
    this.request = null; // { node, axis, steps } of the sweep being shown
    this.steps = [];
    this.$ = (id) => document.getElementById(id);
    this.$("sweep-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.start();
    });
  }

  // Re-fills the axis choice and says what the panel needs; called on every redraw.
  refresh() {
    const axes = [...this.model().axes.values()];
    const select = this.$("sweep-axis");
    reconcileOptions(select, axes.map((a) => [a.id, a.name]), select.value || this.model().view.x);
    const one = this.selection().length === 1;
    this.$("sweep-form").querySelector("button").disabled = !one || !axes.length;
    if (!this.request) {
      this.$("sweep-hint").textContent = !axes.length ? "Add an axis to sweep along it."
        : one ? "Sweep the selected node along an axis." : "Select one node to see its text change along an axis.";
    }
  }

  start() {
    const node = this.selection()[0];
    const axis = this.$("sweep-axis").value;
    const from = Number(this.$("sweep-from").value);
    const to = Number(this.$("sweep-to").value);
    const steps = Math.round(Number(this.$("sweep-steps").value));
    if (!node || !axis) return;
    this.request = { node, axis, steps };
    this.sweepKey = `${node}:${axis}:${steps}:${crypto.randomUUID().slice(0, 8)}`;
    this.steps = new Array(steps).fill(null);
    this.send({ t: "sweep", node, axis, from, to, steps });
    this.render();
  }

  // A sweep.step frame; steps of an older sweep are ignored.
  onStep(frame) {
    const r = this.request;
    if (!r || frame.node !== r.node || frame.axis !== r.axis || frame.steps !== r.steps) return;
    this.steps[frame.index] = frame;
    this.render();
  }

  render() {
    const list = this.$("sweep-list");
    const done = this.steps.filter(Boolean).length;
    const axis = this.model().axes.get(this.request.axis);
    this.$("sweep-hint").textContent = done < this.steps.length
      ? `decoding ${done} of ${this.steps.length} steps along ${axis?.name ?? this.request.axis}…`
      : `${axis?.name ?? this.request.axis}: ${axis?.poles?.negative ?? "−"} → ${axis?.poles?.positive ?? "+"}`;
    // One item per step, kept while the sweep lasts; a step's item is filled once, when it
    // arrives (a new sweep starts a new list).
    if (list.dataset.sweep !== this.sweepKey) {
      list.dataset.sweep = this.sweepKey;
      list.replaceChildren(...this.steps.map((_, index) => {
        const item = document.createElement("li");
        item.className = "sweep-step";
        item.dataset.index = index;
        item.textContent = "…";
        return item;
      }));
    }
    this.steps.forEach((step, index) => {
      const item = list.children[index];
      if (step && item && !item.dataset.filled) this.fill(item, step);
    });
  }

  fill(item, step) {
    item.dataset.filled = "1";
    const value = document.createElement("span");
    value.className = "sweep-value";
    value.textContent = step.value.toFixed(2);
    const text = document.createElement("span");
    text.className = "sweep-text";
    text.textContent = step.text;
    const fidelity = document.createElement("span");
    fidelity.className = "sweep-fidelity";
    fidelity.textContent = step.fidelity.toFixed(2);
    const drop = document.createElement("button");
    drop.type = "button";
    drop.textContent = "+";
    drop.title = "Put this step on the canvas as a new node";
    drop.addEventListener("click", () => this.drop(step));
    item.replaceChildren(value, text, fidelity, drop);
  }

  drop(step) {
    const id = `n-${crypto.randomUUID().slice(0, 8)}`;
    this.sendOp("node.create", { node: id, latent: step.latent, origin: { kind: "derived", parents: [step.node] } });
  }
}
