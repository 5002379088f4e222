// The Axes panel: the x and y pickers (a change is a logged view.bind), "Define an axis"
// from example sentences per pole, and "Add built-in axis" from the server's axis packs.

import { reconcileOptions } from "./options.js";

const slug = (name) => name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "axis";
const suffix = () => crypto.randomUUID().slice(0, 4);

export class AxesPanel {
  // `sendOp(kind, payload)` sends an op; `model()` the model shown (live or the history's).
  constructor({ sendOp, model }) {
    this.sendOp = sendOp;
    this.model = model;
    this.$ = (id) => document.getElementById(id);
    // The packs' axes, fetched once (GET /v1/axes is open): the built-in list and first use.
    this.packAxes = fetch("/v1/axes").then((r) => r.json()).then(({ axes }) => axes).catch(() => []);
    this.packAxes.then((axes) => {
      reconcileOptions(this.$("pack-axis"), axes.map((a) => [a.id, `${a.name} (${a.poles.negative} ↔ ${a.poles.positive})`]));
    });
    for (const slot of ["x", "y"]) {
      this.$(`axis-${slot}`).addEventListener("change", (event) => sendOp("view.bind", { [slot]: event.target.value || null }));
    }
    this.$("axis-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.defineFromExamples();
    });
    this.$("pack-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const id = this.$("pack-axis").value;
      if (id) sendOp("axis.create", { axis: `${id}-${suffix()}`, provider: "pack", params: { axis: id } });
    });
  }

  // Keeps the x and y pickers in step with the axes and the bindings (reconciled, never
  // rebuilt).
  render() {
    const current = this.model();
    const options = [["", "—"], ...[...current.axes.values()].map((a) => [a.id, a.name])];
    for (const slot of ["x", "y"]) reconcileOptions(this.$(`axis-${slot}`), options, current.view[slot] || "");
  }

  defineFromExamples() {
    const lines = (id) => this.$(id).value.split("\n").map((l) => l.trim()).filter(Boolean);
    const name = this.$("axis-name").value.trim();
    this.sendOp("axis.create", {
      axis: `${slug(name)}-${suffix()}`, name, provider: "examples",
      poles: { negative: this.$("axis-neg-label").value.trim(), positive: this.$("axis-pos-label").value.trim() },
      params: { examples: { negative: lines("axis-neg"), positive: lines("axis-pos") } },
    });
    this.$("axis-form").reset();
  }
}
