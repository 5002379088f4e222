// The Features panel: what the sparse dictionary of the embedding space reads in the
// selected node (its strongest features, with bars and labels), a search over feature
// labels and top sentences, and for a chosen feature: use it as an axis, colour the map by
// it, name it for the document, or steer it on the selection (a logged op.apply whose latents are in the log).

const fmt = (value) => (Math.round(value * 1000) / 1000).toFixed(3);

export class FeaturesPanel {
  // `get(path)` fetches a JSON REST route (token added); `send(frame)` sends a protocol
  // frame (false when offline); `sendOp(kind, payload)` sends an op; `model()` the document
  // model; `selection()` the selected node ids; `notify(text)` shows a message;
  // `colourMap({ id, label })` colours the Map view by a feature.
  constructor({ get, send, sendOp, model, selection, notify, colourMap }) {
    Object.assign(this, { get, send, sendOp, model, selection, notify, colourMap });
    this.$ = (id) => document.getElementById(id);
    this.dictionary = null; // the server's dictionary name, from the first answer
    this.signature = "";
    this.readings = [];
    this.found = [];
    this.chosen = null; // { id, label, median, p90, max }
    this.$("feature-search").addEventListener("submit", (event) => {
      event.preventDefault();
      this.search(this.$("feature-query").value.trim());
    });
    this.$("feature-axis").addEventListener("click", () => this.useAsAxis());
    this.$("feature-colour").addEventListener("click", () => {
      if (this.chosen) this.colourMap({ id: this.chosen.id, label: this.name(this.chosen.id, this.chosen.label) });
    });
    this.$("feature-rename").addEventListener("click", () => this.rename());
    this.$("feature-steer").addEventListener("click", () => this.steer());
    this.$("feature-value").addEventListener("input", () => this.showValue());
  }

  // The name people see: the document's own, else the automatic label.
  name(id, label) {
    return (this.dictionary && this.model().featureName(this.dictionary, id)) || label;
  }

  // Called on every redraw: refetches the selected node's features when it changed.
  refresh() {
    const ids = this.selection();
    const node = ids.length === 1 ? this.model().nodes.get(ids[0]) : null;
    const signature = node ? `${node.id}|${node.text}|${node.pending}|${JSON.stringify(node.coords)}` : "";
    if (signature !== this.signature) {
      this.signature = signature;
      if (node) this.load(node.id);
      else {
        this.readings = [];
        this.render();
      }
    }
    this.renderChosen();
  }

  // Asks the server for the node's features (a `features` frame, answered to us only),
  // at most every 200 ms: a node being moved changes many times a second.
  load(id) {
    clearTimeout(this.pendingLoad);
    const ask = () => {
      this.asked = id;
      this.lastAsked = performance.now();
      if (!this.send({ t: "features", node: id, limit: 8 })) this.$("feature-hint").textContent = "Offline.";
    };
    const wait = 200 - (performance.now() - (this.lastAsked ?? -Infinity));
    if (id !== this.asked || wait <= 0) ask();
    else this.pendingLoad = setTimeout(ask, wait);
  }

  // The server's `features` answer; one for a node no longer selected is ignored.
  onFeatures(frame) {
    if (frame.node !== this.asked || this.selection()[0] !== frame.node) return;
    this.dictionary = frame.dictionary;
    this.readings = frame.features;
    this.render();
  }

  // An error frame after a request (no dictionary on this server): say so in the panel.
  onError(message) {
    this.readings = [];
    this.$("feature-hint").textContent = `Features unavailable: ${message}`;
  }

  async search(query) {
    try {
      const answer = await this.get(`/v1/features?q=${encodeURIComponent(query)}&limit=12`);
      this.dictionary = answer.dictionary;
      this.found = answer.features;
      this.renderFound(query);
    } catch (error) {
      this.notify(`feature search failed: ${error.message}`);
    }
  }

  render() {
    const list = this.$("feature-list");
    const one = this.selection().length === 1;
    this.$("feature-hint").textContent = !one ? "Select one node to see its features."
      : this.readings.length ? "Strongest features of the selected node (bar: activation ÷ the feature's median)." : "No active features.";
    const widest = Math.max(2, ...this.readings.map((r) => r.relative));
    list.replaceChildren(...this.readings.map((r) => {
      const item = document.createElement("li");
      item.className = "feature";
      item.dataset.feature = String(r.id);
      const bar = document.createElement("span");
      bar.className = "feature-bar";
      bar.style.width = `${Math.min(100, (100 * r.relative) / widest)}%`;
      const label = document.createElement("span");
      label.className = "feature-label";
      label.textContent = this.name(r.id, r.label);
      label.title = `feature ${r.id}: activation ${fmt(r.activation)} (×${r.relative.toFixed(1)} its median)`;
      const value = document.createElement("span");
      value.className = "feature-value";
      value.textContent = fmt(r.activation);
      item.append(bar, label, value);
      item.addEventListener("click", () => this.choose(r.id));
      return item;
    }));
  }

  renderFound(query) {
    const list = this.$("feature-found");
    if (!this.found.length) {
      const item = document.createElement("li");
      item.className = "hint";
      item.textContent = `No feature mentions “${query}”.`;
      return list.replaceChildren(item);
    }
    list.replaceChildren(...this.found.map((f) => {
      const item = document.createElement("li");
      item.className = "feature-result";
      item.dataset.feature = String(f.id);
      item.textContent = `${this.name(f.id, f.label)} · ${(f.density * 100).toFixed(2)}%`;
      item.addEventListener("click", () => this.choose(f.id));
      return item;
    }));
  }

  // Shows one feature's examples and enables its actions.
  async choose(id) {
    try {
      const info = await this.get(`/v1/features/${id}`);
      this.chosen = { id, label: info.label, ...info.activation, examples: info.examples };
      this.renderChosen();
    } catch (error) {
      this.notify(`cannot load feature ${id}: ${error.message}`);
    }
  }

  renderChosen() {
    const box = this.$("feature-chosen");
    box.hidden = !this.chosen;
    if (!this.chosen) return;
    const c = this.chosen;
    this.$("feature-title").textContent = `${this.name(c.id, c.label)} (feature ${c.id})`;
    const examples = this.$("feature-examples");
    if (examples.dataset.feature !== String(c.id)) {
      examples.dataset.feature = String(c.id);
      this.$("feature-name").value = this.name(c.id, c.label) === c.label ? "" : this.name(c.id, c.label);
      this.$("feature-name").placeholder = `name it (label: ${c.label})`;
      examples.replaceChildren(...c.examples.slice(0, 4).map((e) => {
        const item = document.createElement("li");
        item.textContent = e.text;
        return item;
      }));
    }
    this.$("feature-steer").disabled = !this.selection().length;
    this.showValue();
  }

  // The slider is in multiples of the feature's median activation (measured: at 12× a
  // decoded text carries the feature about 4 times in 10 by translation, 7 in 10 by
  // optimisation, keeping less of the sentence; see the dictionary's model card).
  strength() {
    return Number(this.$("feature-value").value);
  }

  showValue() {
    if (!this.chosen) return;
    const strength = this.strength();
    this.$("feature-value-label").textContent = `${strength}× its median (activation ${fmt(strength * this.chosen.median)})`;
  }

  useAsAxis() {
    const c = this.chosen;
    if (!c) return;
    const axis = `feature-${c.id}`;
    if (!this.model().axes.has(axis)) {
      this.sendOp("axis.create", { axis, provider: "feature", params: { feature: c.id }, name: this.name(c.id, c.label) });
    }
    this.sendOp("view.bind", { y: axis });
  }

  // The name typed in the panel, for everyone in the document; empty goes back to the label.
  rename() {
    const c = this.chosen;
    if (!c || !this.dictionary) return;
    const name = this.$("feature-name").value.trim().slice(0, 80);
    this.sendOp("feature.name", { dictionary: this.dictionary, feature: c.id, name });
  }

  steer() {
    const c = this.chosen;
    const inputs = this.selection();
    if (!c || !inputs.length) return;
    const edit = this.$("feature-edit").value;
    this.sendOp("op.apply", {
      operation: "feature-steer", inputs,
      params: { feature: c.id, strength: this.strength(), mode: "set", edit },
    });
  }
}
