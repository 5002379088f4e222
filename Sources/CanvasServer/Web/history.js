import { shorten } from "./view.js";
import { reconcileOptions } from "./options.js";

// The history list: every change with its author, its time and what it did ("bob moved
// 'My flight…' towards positive"), newest first, filterable by person; picking one scrubs
// the canvas to it. Descriptions are made by replaying the ops in order, so each can name
// the node's text and the axis poles as they were then.

const short = (text, count = 40) => `“${shorten((text || "").trim(), count)}”`;

// Folds ops (in seq order) into descriptions: [{seq, actor, at, kind, text}].
export function describeAll(lines) {
  const texts = new Map(); // node → latest text
  const coords = new Map(); // node → {axis: value}
  const axes = new Map(); // axis → {name, poles}
  const out = [];
  for (const { seq, op, at } of lines) {
    const p = op.payload || {};
    const node = p.node;
    const label = () => (texts.has(node) ? short(texts.get(node)) : `a node (${node})`);
    let text;
    switch (op.kind) {
      case "node.create":
        text = p.text ? `added ${short(p.text)}` : `made a node by ${p.origin?.kind ?? "an operation"}`;
        if (p.text) texts.set(node, p.text);
        break;
      case "node.move": {
        const before = coords.get(node) || {};
        // The axis it moved along most, and which pole it moved towards.
        let best = null;
        for (const { axis, value } of p.coordinates || []) {
          const change = value - (before[axis] ?? 0);
          if (!best || Math.abs(change) > Math.abs(best.change)) best = { axis, change };
        }
        const axis = best && axes.get(best.axis);
        text = axis && Math.abs(best.change) > 1e-3
          ? `moved ${label()} towards ${best.change > 0 ? axis.poles.positive : axis.poles.negative} (${axis.name})`
          : `moved ${label()}`;
        coords.set(node, { ...before, ...Object.fromEntries((p.coordinates || []).map((c) => [c.axis, c.value])) });
        break;
      }
      case "node.setText":
        text = `edited ${label()} to ${short(p.text)}`;
        texts.set(node, p.text);
        break;
      case "node.decoded":
        text = `decoded ${label()} as ${short(p.text)}`;
        texts.set(node, p.text);
        break;
      case "node.delete":
        text = `deleted ${label()}`;
        break;
      case "axis.create":
        axes.set(p.axis, { name: p.name, poles: p.poles || { negative: "−", positive: "+" } });
        text = `added the axis “${p.name}”`;
        break;
      case "axis.update":
        if (axes.has(p.axis) && p.name) axes.get(p.axis).name = p.name;
        if (axes.has(p.axis) && p.poles) axes.get(p.axis).poles = p.poles;
        text = `changed the axis “${axes.get(p.axis)?.name ?? p.axis}”`;
        break;
      case "axis.delete":
        text = `removed the axis “${axes.get(p.axis)?.name ?? p.axis}”`;
        break;
      case "view.bind":
        text = ["x", "y"].filter((slot) => slot in p)
          .map((slot) => (p[slot] ? `put “${axes.get(p[slot])?.name ?? p[slot]}” on ${slot}` : `cleared ${slot}`)).join(", ");
        break;
      case "view.layout":
        text = p.run ? `placed ${p.positions.length === 1 ? short(texts.get(p.positions[0].node)) : `${p.positions.length} nodes`} on the map`
          : `computed a ${p.method === "tsne" ? "t-SNE" : "UMAP"} map of ${p.positions.length} node${p.positions.length === 1 ? "" : "s"}`;
        break;
      case "feature.name":
        text = p.name ? `named feature ${p.feature} ${short(p.name)}` : `cleared the name of feature ${p.feature}`;
        break;
      case "plugins.allow":
        text = p.plugins ? `allowed only the plugins ${p.plugins.join(", ") || "(none)"}` : "lifted the plugin restriction";
        break;
      case "op.apply":
        if (p.operation === "feature-steer") {
          text = `steered feature ${p.params?.feature ?? "?"} on ${p.inputs?.length === 1 ? short(texts.get(p.inputs[0])) : `${p.inputs?.length ?? 0} nodes`}`;
          break;
        }
        text = `ran ${p.operation}${p.inputs?.length ? ` on ${p.inputs.length} node${p.inputs.length > 1 ? "s" : ""}` : ""}`
          + (p.plugin?.includes("@") ? ` (${p.plugin})` : "");
        break;
      default:
        text = op.kind;
    }
    out.push({ seq, actor: op.actor, at: at ?? null, kind: op.kind, text });
  }
  return out;
}

// Where a node's moves put it, and the texts decoded for them, up to `seq`.
export function nodeTrail(lines, node, seq) {
  const trail = [];
  const byMove = new Map();
  for (const { seq: at, op } of lines) {
    if (at > seq || op.payload?.node !== node) continue;
    if (op.kind === "node.move") {
      const point = { seq: at, coords: Object.fromEntries((op.payload.coordinates || []).map((c) => [c.axis, c.value])), text: null };
      byMove.set(`${op.id.lamport}/${op.id.replica}`, point);
      trail.push(point);
    } else if (op.kind === "node.decoded") {
      const point = byMove.get(`${op.payload.answers.lamport}/${op.payload.answers.replica}`);
      if (point) point.text = op.payload.text;
    }
  }
  return trail;
}

// "14:03:27", with the date when it is not today; "" when unknown.
export function formatTime(at, now = new Date()) {
  if (at == null) return "";
  const when = new Date(at);
  const time = when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  return when.toDateString() === now.toDateString() ? time : `${when.toLocaleDateString()} ${time}`;
}

export class HistoryList {
  // elements: { panel, list, person }; hooks: { fetchOps(from, limit) → Promise<lines>,
  // onPick(seq), current() → the seq on screen }.
  constructor(elements, hooks) {
    this.elements = elements;
    this.hooks = hooks;
    this.entries = [];
    this.lines = [];
    this.items = new Map(); // seq → its kept list item
    elements.person.addEventListener("change", () => this.render());
    elements.list.addEventListener("click", (event) => {
      const item = event.target.closest("[data-seq]");
      if (item) hooks.onPick(Number(item.dataset.seq));
    });
  }

  // Loads every op up to `head` (in pages), describes them, and shows the newest first.
  async load(head) {
    const lines = [];
    for (let from = 1; from <= head; from += 1000) lines.push(...(await this.hooks.fetchOps(from, 1000)));
    this.lines = lines;
    this.entries = describeAll(lines);
    const people = [...new Set(this.entries.map((e) => e.actor))].sort();
    reconcileOptions(this.elements.person, [["", "everyone"], ...people.map((p) => [p, p])]);
    this.elements.panel.hidden = false;
    this.render();
  }

  // A node's trail up to `seq`: where each of its moves put it (axis coordinates) and the
  // text decoded for that move, oldest first.
  trail(node, seq) {
    return nodeTrail(this.lines, node, seq);
  }

  // The description of the change at `seq`, if loaded.
  entry(seq) {
    return this.entries.find((e) => e.seq === seq);
  }

  hide() {
    this.elements.panel.hidden = true;
  }

  render() {
    const person = this.elements.person.value;
    const current = this.hooks.current();
    const shown = this.entries.filter((e) => !person || e.actor === person).slice(-500).reverse();
    // Items are kept by seq and updated in place, like the canvas's cards.
    const items = shown.map((e) => {
      let item = this.items.get(e.seq);
      if (!item) {
        item = document.createElement("li");
        item.dataset.seq = String(e.seq);
        const head = document.createElement("span");
        head.className = "meta";
        item.append(head, document.createElement("span"));
        this.items.set(e.seq, item);
      }
      const className = `${e.actor === "latitude" ? "server" : ""} ${e.seq === current ? "current" : ""}`.trim();
      if (item.className !== className) item.className = className;
      const [head, body] = item.children;
      const meta = `#${e.seq} · ${e.actor}${e.at ? ` · ${formatTime(e.at)}` : ""}`;
      if (head.textContent !== meta) head.textContent = meta;
      if (body.textContent !== e.text) body.textContent = e.text;
      return item;
    });
    const kept = new Set(shown.map((e) => e.seq));
    for (const [seq, item] of this.items) {
      if (kept.has(seq)) continue;
      item.remove();
      this.items.delete(seq);
    }
    const list = this.elements.list;
    let at = list.firstChild;
    for (const item of items) {
      if (item === at) at = at.nextSibling;
      else list.insertBefore(item, at);
    }
  }
}
