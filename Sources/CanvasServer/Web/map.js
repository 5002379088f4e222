// The Map panel: switch the canvas between the Axes view and the Map view, compute (or
// re-run) the document's UMAP or t-SNE map, and colour the map by an axis or a feature (the
// Features panel's "Colour map"). A map is a
// logged view.layout computed by the server (op.apply "umap-layout" / "tsne-layout");
// nodes added later are placed into it by the server.

import { reconcileOptions } from "./options.js";

export class MapPanel {
  // elements: { mode (radio inputs), method, run, colour, status }; hooks: { view,
  // model() (the model on screen), sendOp(kind, payload), get(path) (a REST route's JSON),
  // showError, redraw }.
  constructor(elements, hooks) {
    this.elements = elements;
    this.hooks = hooks;
    this.pending = null; // the lamport of a map request in flight
    for (const radio of elements.mode) {
      radio.addEventListener("change", () => this.setMode(radio.value));
    }
    elements.run.addEventListener("click", () => this.compute());
    elements.colour.addEventListener("change", () => {
      const value = elements.colour.value;
      if (!value) hooks.view.colourBy = null;
      else if (!value.startsWith("feature:")) hooks.view.colourBy = { axis: value };
      hooks.redraw();
    });
    this.feature = null; // { id, label } of the feature offered in the colour picker
    this.fetched = { seq: -1, at: -Infinity, loading: false };
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

  // Colours the map by a feature: every node's activation, fetched from the server and
  // fetched again (at most once a second) while the document changes.
  colourByFeature({ id, label }) {
    this.feature = { id, label };
    this.hooks.view.colourBy = { feature: id, label, values: new Map(), version: 0 };
    this.fetched = { seq: -1, at: -Infinity, loading: false };
    if (this.hooks.view.mode !== "map") this.setMode("map");
    this.hooks.redraw();
  }

  // Fetches the colouring feature's values again when the document moved on since the last
  // fetch: at once, or when a second has passed since it.
  refreshFeatureValues() {
    const by = this.hooks.view.colourBy;
    const { seq, at, loading } = this.fetched;
    if (!by?.feature || loading || seq === this.hooks.model().seq || this.refreshTimer) return;
    const wait = Math.max(0, 1000 - (performance.now() - at));
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      if (this.hooks.view.colourBy === by) this.loadFeatureValues();
    }, wait);
  }

  async loadFeatureValues() {
    const by = this.hooks.view.colourBy;
    const seq = this.hooks.model().seq;
    this.fetched = { seq, at: performance.now(), loading: true };
    try {
      const body = await this.hooks.get(`/v1/docs/{doc}/features/${by.feature}`);
      if (this.hooks.view.colourBy !== by) return;
      by.values = new Map(body.nodes.map((entry) => [entry.node, entry.relative]));
      by.version += 1;
    } catch (error) {
      this.hooks.showError(`could not colour the map by feature ${by.feature}: ${error.message}`);
    } finally {
      this.fetched.loading = false;
      this.hooks.redraw();
    }
  }

  onRefused() {
    this.pending = null;
    this.render();
  }

  render() {
    const model = this.hooks.model();
    const { colour, status, run } = this.elements;
    const by = this.hooks.view.colourBy;
    const options = [["", "none"], ...[...model.axes.values()].map((a) => [a.id, a.name])];
    if (this.feature) options.push([`feature:${this.feature.id}`, `feature: ${this.feature.label}`]);
    reconcileOptions(colour, options, by ? (by.axis ?? `feature:${by.feature}`) : "");
    this.refreshFeatureValues();
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
