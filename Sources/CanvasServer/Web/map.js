// The Map panel: switch the canvas between the Axes view and the Map view, compute (or
// re-run) the document's UMAP or t-SNE map, and colour the map by an axis. A map is a
// logged view.layout computed by the server (op.apply "umap-layout" / "tsne-layout");
// nodes added later are placed into it by the server.

import { reconcileOptions } from "./options.js";

export class MapPanel {
  // elements: { mode (radio inputs), method, run, colour, status }; hooks: { view,
  // model() (the model on screen), sendOp(kind, payload), showError, redraw }.
  constructor(elements, hooks) {
    this.elements = elements;
    this.hooks = hooks;
    this.pending = null; // the lamport of a map request in flight
    for (const radio of elements.mode) {
      radio.addEventListener("change", () => this.setMode(radio.value));
    }
    elements.run.addEventListener("click", () => this.compute());
    elements.colour.addEventListener("change", () => {
      hooks.view.colourAxis = elements.colour.value || null;
      hooks.redraw();
    });
  }

  setMode(mode) {
    const { view } = this.hooks;
    view.mode = mode;
    view.dots = null;
    for (const radio of this.elements.mode) radio.checked = radio.value === mode;
    document.body.dataset.view = mode;
    this.hooks.redraw();
    view.fit();
  }

  compute() {
    const model = this.hooks.model();
    if (model.nodes.size < 3) return this.hooks.showError("a map needs at least 3 nodes");
    const operation = this.elements.method.value;
    this.hooks.sendOp("op.apply", { plugin: "latitude.maps", operation, params: {}, inputs: [], outputs: [] });
    this.pending = operation;
    this.elements.status.textContent = `Computing the ${operation === "tsne-layout" ? "t-SNE" : "UMAP"} map…`;
    if (this.hooks.view.mode !== "map") this.setMode("map");
  }

  // A map landed (a full view.layout): fit it once.
  onLayout(full) {
    if (full) {
      this.pending = null;
      this.hooks.view.dots = null;
      if (this.hooks.view.mode === "map") this.hooks.view.fit();
    }
  }

  onRefused() {
    this.pending = null;
    this.render();
  }

  render() {
    const model = this.hooks.model();
    const { colour, status, run } = this.elements;
    const options = [["", "none"], ...[...model.axes.values()].map((a) => [a.id, a.name])];
    reconcileOptions(colour, options, this.hooks.view.colourAxis || "");
    run.textContent = model.map ? "Re-run map" : "Compute map";
    if (this.pending) return;
    if (!model.map) {
      status.textContent = "No map yet. A map lays out every node by similarity; nodes added later are placed into it.";
      return;
    }
    const params = model.map.params || {};
    const detail = model.map.method === "tsne"
      ? `perplexity ${params.perplexity}, seed ${params.seed}`
      : `${params.neighbors} neighbours, min_dist ${params.minDist}, seed ${params.seed}`;
    status.textContent = `${model.map.method === "tsne" ? "t-SNE" : "UMAP"} (${detail}), ${model.map.positions.size} placed.`;
  }
}
