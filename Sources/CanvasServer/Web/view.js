// SVG rendering of the canvas: axes with pole names, node cards placed by their
// coordinates, fidelity badges, text markers, peers' cursors; pan and zoom; dragging.
// In the Map view nodes sit at their map positions (cards up to MAP_CARD_LIMIT nodes,
// coloured dots above it, drawn once and only moved by a transform while panning).

// Above this many placed nodes the Map view draws dots, not cards.
export const MAP_CARD_LIMIT = 150;
// Above this many nodes the Axes view draws dots too (thousands of cards, even compact
// ones, cost hundreds of milliseconds a frame to paint); a selected dot shows its text.
export const AXES_CARD_LIMIT = 1000;
// Above this many nodes labels are drawn at their points without collision placement
// (which is quadratic: seconds per frame at 5,000 nodes).
export const PLACEMENT_LIMIT = 600;
// More cards than this on screen are drawn compact (a dot and a short label).
export const COMPACT_COUNT = 60;

// A diverging colour for a coordinate (−2 … +2): blue, grey, red.
export function colourForValue(value) {
  if (!Number.isFinite(value)) return "#adb5bd";
  const t = Math.max(-1, Math.min(1, value / 2));
  return t < 0 ? `hsl(214 70% ${Math.round(88 + 40 * t)}%)` : `hsl(4 70% ${Math.round(88 - 40 * t)}%)`;
}

const NS = "http://www.w3.org/2000/svg";

function el(name, attributes = {}, parent = null) {
  const node = document.createElementNS(NS, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (parent) parent.appendChild(node);
  return node;
}

export function colourFor(name) {
  let hash = 0;
  for (const c of name) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return `hsl(${hash % 360} 65% 45%)`;
}

// Offsets around a point in rings of cells `dx` × `dy`, nearest ring first (the point
// itself, then ring 1, ...), up to `rings`; within a ring, the closest cells first.
const ringCache = new Map();
function ringOffsets(dx, dy, rings) {
  const key = `${dx},${dy},${rings}`;
  if (!ringCache.has(key)) {
    const cells = [];
    for (let i = -rings; i <= rings; i++) for (let j = -rings; j <= rings; j++) cells.push([i, j]);
    cells.sort((a, b) => Math.max(Math.abs(a[0]), Math.abs(a[1])) - Math.max(Math.abs(b[0]), Math.abs(b[1]))
      || Math.hypot(a[0] * dx, a[1] * dy) - Math.hypot(b[0] * dx, b[1] * dy));
    if (ringCache.size > 64) ringCache.clear();
    ringCache.set(key, cells.map(([i, j]) => [i * dx, j * dy]));
  }
  return ringCache.get(key);
}

// The first `count` characters of a text, with an ellipsis when it was longer.
export function shorten(text, count) {
  return text.length > count ? `${text.slice(0, count - 1).trimEnd()}…` : text;
}

// Makes `parent`'s children match `parts` ({tag, attributes, text}), reusing each existing
// child whose tag matches its part's (attributes set anew, stale ones removed).
function syncChildren(parent, parts) {
  parts.forEach((part, i) => {
    let child = parent.children[i];
    if (!child || child.tagName !== part.tag) {
      const made = el(part.tag);
      if (child) parent.replaceChild(made, child);
      else parent.appendChild(made);
      child = made;
    }
    for (const name of [...child.getAttributeNames()]) {
      if (!(name in part.attributes)) child.removeAttribute(name);
    }
    for (const [name, value] of Object.entries(part.attributes)) {
      if (child.getAttribute(name) !== String(value)) child.setAttribute(name, value);
    }
    const text = part.text ?? "";
    if (child.textContent !== text) child.textContent = text;
  });
  while (parent.children.length > parts.length) parent.lastElementChild.remove();
}

function wrap(text, width) {
  const words = (text || "").split(/\s+/);
  const lines = [];
  let line = "";
  for (const word of words) {
    if ((line + " " + word).trim().length > width && line) {
      lines.push(line);
      line = word;
    } else {
      line = (line + " " + word).trim();
    }
  }
  if (line) lines.push(line);
  return lines.slice(0, 4).map((l, i, all) => (i === 3 && all.length === 4 && words.join(" ").length > 4 * width ? l + "…" : l));
}

export class CanvasView {
  constructor(svg, handlers) {
    this.svg = svg;
    this.handlers = handlers; // { onDrag(node, x, y, done), onSelect(id, additive), onCursor(x, y) }
    this.scale = 140;
    this.offset = [0, 0];
    this.overrides = new Map(); // node id → [x, y] while dragged (by us or a peer)
    this.peerDrags = new Set();
    this.previews = new Map(); // node id → preview text
    this.staged = new Map(); // node id → provisional decode stage {text, stage, fidelity}
    this.selection = [];
    this.cursors = new Map(); // actor → {x, y, colour}
    this.mode = "axes"; // or "map"
    this.trail = null; // the selected node's earlier positions and texts (history open)
    // What colours nodes in the Map view: null, { axis }, or { feature, label, values } (a
    // node's activation relative to the feature's median, by node id).
    this.colourBy = null;
    this.dots = null; // the Map view's cached dot layer: { key, layer }
    this.root = el("g", {}, svg);
    // Cards are kept across renders, keyed by node id: a render updates each one in place
    // (its transform always, its contents only when they changed), so an element handed
    // out once stays valid while its node is drawn.
    this.cardLayer = el("g", { class: "cards" });
    // Leader lines and text markers, kept across renders like the cards (reconciled).
    this.linkLayer = el("g", { class: "links" });
    this.cardViews = new Map(); // node id → { g, signature }
    this.renderedOffset = [0, 0]; // the offset of the last full render (a pan shifts from it)
    this.renderQueued = false;
    this.installPanZoom();
  }

  // Where a node is drawn, in view units: its override while dragged, else its axis
  // coordinates (Axes view) or its map position (Map view; null until it is placed).
  pos(node) {
    return this.overrides.get(node.id) || (this.mode === "map" ? this.model.mapPosition(node) : this.model.position(node));
  }

  // The nodes the current view can draw.
  drawable() {
    const nodes = [...this.model.nodes.values()];
    return this.mode === "map" ? nodes.filter((n) => this.pos(n)) : nodes;
  }

  // The canvas's size; read once per render (reading it after drawing forces a layout of
  // everything drawn so far: quadratic in the node count).
  size() {
    if (this.frameSize) return this.frameSize;
    const box = this.svg.getBoundingClientRect();
    return [box.width || 800, box.height || 600];
  }

  toScreen([x, y]) {
    const [w, h] = this.size();
    return [w / 2 + this.offset[0] + x * this.scale, h / 2 + this.offset[1] - y * this.scale];
  }

  toModel([sx, sy]) {
    const [w, h] = this.size();
    return [(sx - w / 2 - this.offset[0]) / this.scale, -(sy - h / 2 - this.offset[1]) / this.scale];
  }

  local(event) {
    const box = this.svg.getBoundingClientRect();
    return [event.clientX - box.left, event.clientY - box.top];
  }

  installPanZoom() {
    let pan = null;
    this.svg.addEventListener("pointerdown", (event) => {
      if (event.target.closest(".card, .dot")) return;
      pan = { start: this.local(event), offset: [...this.offset] };
      this.svg.classList.add("panning");
      try {
        this.svg.setPointerCapture(event.pointerId);
      } catch {
        // A pointer the browser does not track (a synthetic event): panning still works.
      }
      if (!event.shiftKey) this.handlers.onSelect(null, false);
    });
    this.svg.addEventListener("pointermove", (event) => {
      const point = this.local(event);
      this.handlers.onCursor(...this.toModel(point));
      if (!pan) return;
      this.panTo([pan.offset[0] + point[0] - pan.start[0], pan.offset[1] + point[1] - pan.start[1]]);
    });
    const end = () => {
      if (pan) this.render(); // the full drawing at the new place (cards re-placed, grid redrawn)
      pan = null;
      this.svg.classList.remove("panning");
    };
    this.svg.addEventListener("pointerup", end);
    this.svg.addEventListener("pointercancel", end);
    this.svg.addEventListener("wheel", (event) => {
      event.preventDefault();
      const point = this.local(event);
      const before = this.toModel(point);
      this.scale = Math.max(20, Math.min(2000, this.scale * Math.exp(-event.deltaY * 0.0015)));
      const after = this.toScreen(before);
      this.offset = [this.offset[0] + point[0] - after[0], this.offset[1] + point[1] - after[1]];
      this.scheduleRender();
    }, { passive: false });
    window.addEventListener("resize", () => this.scheduleRender());
  }

  /// Pans to `offset` by moving the drawing as a whole (one transform), not redrawing it:
  /// what is drawn stays where the last render put it relative to the axes. The next full
  /// render (at the end of the pan, or when anything changes) draws it at the new place.
  panTo(offset) {
    this.offset = offset;
    const dx = offset[0] - this.renderedOffset[0];
    const dy = offset[1] - this.renderedOffset[1];
    this.root.setAttribute("transform", `translate(${dx},${dy})`);
  }

  /// A full render on the next animation frame (several wheel or resize events in one frame
  /// draw once).
  scheduleRender() {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.render();
    });
  }

  /// Zooms and pans so every node is on screen (cards are ~240 px wide).
  fit() {
    const model = this.model;
    if (!model || !model.nodes.size) return;
    const points = this.drawable().map((n) => this.pos(n));
    if (!points.length) return;
    const xs = points.map((p) => p[0]);
    const ys = points.map((p) => p[1]);
    const [w, h] = this.size();
    const spanX = Math.max(0.5, Math.max(...xs) - Math.min(...xs));
    const spanY = Math.max(0.5, Math.max(...ys) - Math.min(...ys));
    this.scale = Math.max(20, Math.min(600, Math.min((w - 300) / spanX, (h - 160) / spanY)));
    const cx = (Math.max(...xs) + Math.min(...xs)) / 2;
    const cy = (Math.max(...ys) + Math.min(...ys)) / 2;
    this.offset = [-cx * this.scale, cy * this.scale];
    this.render();
  }

  setModel(model, readOnly) {
    this.model = model;
    this.readOnly = readOnly;
    this.render();
  }

  render() {
    const model = this.model;
    if (!model) return;
    this.frameSize = null;
    this.frameSize = this.size();
    this.renderedOffset = [...this.offset];
    this.root.removeAttribute("transform");
    try {
      this.root.replaceChildren();
      if (this.mode === "map") this.renderMap();
      else this.renderAxes();
    } finally {
      this.frameSize = null;
    }
  }

  renderAxes() {
    const model = this.model;
    const [w, h] = this.size();
    const axesLayer = el("g", {}, this.root);
    const [ox, oy] = this.toScreen([0, 0]);
    for (let v = -4; v <= 4; v++) {
      const [gx] = this.toScreen([v, 0]);
      const [, gy] = this.toScreen([0, v]);
      el("line", { x1: gx, y1: 0, x2: gx, y2: h, class: "grid" }, axesLayer);
      el("line", { x1: 0, y1: gy, x2: w, y2: gy, class: "grid" }, axesLayer);
    }
    el("line", { x1: 0, y1: oy, x2: w, y2: oy, class: "axis-line" }, axesLayer);
    el("line", { x1: ox, y1: 0, x2: ox, y2: h, class: "axis-line" }, axesLayer);
    const xAxis = model.axes.get(model.view.x);
    const yAxis = model.axes.get(model.view.y);
    const label = (text, x, y, anchor) => {
      const t = el("text", { x, y, "text-anchor": anchor, class: "axis-label" }, axesLayer);
      t.textContent = text;
    };
    if (xAxis) {
      label(`← ${xAxis.poles.negative}`, 10, oy - 6, "start");
      label(`${xAxis.poles.positive} →`, w - 10, oy - 6, "end");
      label(xAxis.name, w - 10, oy + 16, "end");
    } else {
      label("no x axis: pick or define one", 10, oy - 6, "start");
    }
    if (yAxis) {
      label(`↑ ${yAxis.poles.positive}`, ox + 6, 16, "start");
      label(`↓ ${yAxis.poles.negative}`, ox + 6, h - 56, "start");
    }
    this.renderTrail();
    const nodes = [...model.nodes.values()];
    if (nodes.length > AXES_CARD_LIMIT) this.renderDots(nodes, w, h);
    else this.renderCards(nodes);
    this.renderCursors();
  }

  // Cards are placed one by one, never completely over an earlier one: what is being
  // dragged and what is selected first (they stay at their points), then the rest. A few
  // nodes are all drawn (one off screen shows at the edge, so none is lost); in a crowd,
  // nodes whose point is off screen get no card (they would pile up at the edges) unless
  // selected or dragged, and the level of detail follows how many are on screen.
  renderCards(all) {
    const [w, h] = this.size();
    const margin = 24;
    const onScreen = (node) => {
      const [x, y] = this.toScreen(this.pos(node));
      return x >= -margin && x <= w + margin && y >= -margin && y <= h + margin;
    };
    const nodes = all.length <= COMPACT_COUNT ? all
      : all.filter((n) => this.overrides.has(n.id) || this.selection.includes(n.id) || onScreen(n));
    const links = []; // the link layer's parts, in paint order
    this.root.appendChild(this.linkLayer);
    const cards = this.cardLayer;
    this.root.appendChild(cards);
    const first = (node) => (this.overrides.has(node.id) ? 0 : this.selection.includes(node.id) ? 1 : 2);
    const placed = [];
    const compact = this.isCompact(nodes.length);
    this.crowded = nodes.length > PLACEMENT_LIMIT;
    const order = nodes.sort((a, b) => first(a) - first(b));
    const drawn = new Set();
    for (const node of order) {
      this.renderNode(node, links, placed, compact);
      drawn.add(node.id);
    }
    syncChildren(this.linkLayer, links);
    for (const [id, view] of this.cardViews) {
      if (drawn.has(id)) continue;
      view.g.remove();
      this.cardViews.delete(id);
    }
    // Paint in placement order; DOM moves only where the order changed.
    let at = cards.firstChild;
    for (const node of order) {
      const g = this.cardViews.get(node.id).g;
      if (g === at) at = at.nextSibling;
      else cards.insertBefore(g, at);
    }
  }

  // A node's trail: its earlier positions joined in order, each with the text it had.
  renderTrail() {
    const model = this.model;
    if (!this.trail?.length || (!model.view.x && !model.view.y)) return;
    const layer = el("g", { class: "trail", "pointer-events": "none" }, this.root);
    const points = this.trail.map((p) => this.toScreen([model.view.x ? p.coords[model.view.x] ?? 0 : 0, model.view.y ? p.coords[model.view.y] ?? 0 : 0]));
    el("polyline", { points: points.map((p) => p.join(",")).join(" "), class: "trail-line" }, layer);
    points.forEach(([x, y], i) => {
      el("circle", { cx: x, cy: y, r: 4, class: "trail-dot" }, layer);
      const label = el("text", { x: x + 6, y: y - 6, class: "trail-text" }, layer);
      label.textContent = shorten(this.trail[i].text || "…", 32);
    });
  }

  // The Map view: a title, then cards (few nodes) or dots (many).
  renderMap() {
    const model = this.model;
    const [w, h] = this.size();
    // The title is kept across renders (its text changes in place).
    this.mapTitle ??= el("text", { x: 10, y: 20, class: "axis-label map-title" });
    const header = this.mapTitle;
    this.root.appendChild(header);
    const nodes = this.drawable();
    if (!model.map) {
      header.textContent = "No map yet: choose UMAP or t-SNE and press Compute map.";
    } else {
      const unplaced = model.nodes.size - nodes.length;
      header.textContent = `${model.map.method === "tsne" ? "t-SNE" : "UMAP"} map · ${nodes.length} nodes` +
        (unplaced > 0 ? ` · placing ${unplaced}…` : "") + (this.colourBy ? ` · colour: ${this.colourName()}` : "");
    }
    if (nodes.length > MAP_CARD_LIMIT) {
      this.renderDots(nodes, w, h);
    } else {
      this.renderCards(nodes);
    }
    this.renderCursors();
  }

  // A node's colour value on the −2 … +2 scale: its coordinate on the colouring axis, or its
  // activation of the colouring feature as multiples of the median (0 when it does not fire,
  // capped at 2); NaN (grey) when unknown.
  colourValue(node) {
    const by = this.colourBy;
    if (!by) return NaN;
    if (by.axis) return node.coords[by.axis]?.at ?? NaN;
    const relative = by.values.get(node.id);
    return relative === undefined ? NaN : Math.min(2, relative);
  }

  colourName() {
    const by = this.colourBy;
    return by.axis ? this.model.axes.get(by.axis)?.name ?? "" : `feature ${by.label}`;
  }

  // Many nodes: one coloured dot each, built once per change of nodes, selection, colour
  // or zoom; panning only moves the layer's transform.
  renderDots(nodes, w, h) {
    const model = this.model;
    const key = [this.mode, model.seq, model.map?.run?.lamport, nodes.length, this.scale, this.colourBy?.axis ?? this.colourBy?.feature, this.colourBy?.version, this.selection.join(","), [...this.overrides.keys()].join(",")].join("|");
    if (!this.dots || this.dots.key !== key) {
      const layer = el("g", { class: "dots" });
      const r = 3.5 / this.scale;
      for (const node of nodes) {
        const [x, y] = this.pos(node);
        const selected = this.selection.includes(node.id);
        const value = this.colourValue(node);
        const dot = el("circle", { cx: x, cy: y, r: selected ? 2 * r : r, class: selected ? "dot selected" : "dot", "data-node": node.id, fill: colourForValue(value) }, layer);
        if (selected) {
          const label = el("text", { x: 0, y: 0, class: "dot-label", transform: `translate(${x + 3 * r},${y}) scale(${1 / this.scale},${-1 / this.scale})` }, layer);
          label.textContent = shorten(node.text || "decoding…", 60);
        }
        dot.dataset.node = node.id;
      }
      layer.addEventListener("pointerdown", (event) => {
        const id = event.target.dataset?.node;
        const node = id && model.nodes.get(id);
        if (!node) return;
        this.handlers.onSelect(id, event.shiftKey);
        if (!this.readOnly) this.startDrag(event, node);
      });
      this.dots = { key, layer };
    }
    this.dots.layer.setAttribute("transform", `translate(${w / 2 + this.offset[0]},${h / 2 + this.offset[1]}) scale(${this.scale},${-this.scale})`);
    this.root.appendChild(this.dots.layer);
    // Dragged dots are where their drag is (the cached layer has where they were).
    for (const [id, position] of this.overrides) this.moveDot(id, position);
  }

  // Moves a drawn dot (and its label) to `position`; false when it is not drawn.
  moveDot(id, position) {
    const dot = this.dots?.layer.isConnected && this.dots.layer.querySelector(`circle[data-node="${CSS.escape(id)}"]`);
    if (!dot) return false;
    dot.setAttribute("cx", position[0]);
    dot.setAttribute("cy", position[1]);
    return true;
  }

  renderCursors() {
    // Peers' cursors are drawn on top but never take a click meant for a card.
    const cursors = el("g", { "pointer-events": "none" }, this.root);
    for (const [actor, cursor] of this.cursors) {
      const [cx, cy] = this.toScreen([cursor.x, cursor.y]);
      const g = el("g", { class: "cursor", transform: `translate(${cx},${cy})` }, cursors);
      el("path", { d: "M0,0 L0,14 L4,10 L9,16 L11,15 L7,9 L12,9 Z", fill: cursor.colour }, g);
      const t = el("text", { x: 12, y: 24, fill: cursor.colour }, g);
      t.textContent = actor;
    }
  }

  // Zoomed out, or crowded on screen: a dot with a short label instead of a full card (the
  // selected and dragged nodes keep their cards). `count` is the nodes on screen.
  isCompact(count) {
    return this.scale < 45 || count > COMPACT_COUNT;
  }

  // Where a card of `width` × `height` centred on (sx, sy) goes: at its point when that
  // covers no card placed before, else at the nearest free offset (then the least
  // covered), kept inside the canvas. Returns its top-left corner.
  place(sx, sy, width, height, placed, fixed) {
    const [w, h] = this.size();
    const clamp = (x, y) => [Math.max(2, Math.min(w - width - 2, x)), Math.max(2, Math.min(h - height - 2, y))];
    if (this.crowded) return clamp(sx - width / 2, sy - height / 2);
    const covered = (x, y) => placed.reduce((sum, r) =>
      sum + Math.max(0, Math.min(x + width, r.x + r.w) - Math.max(x, r.x)) * Math.max(0, Math.min(y + height, r.y + r.h) - Math.max(y, r.y)), 0);
    const touches = (x, y) => placed.some((r) => x < r.x + r.w && r.x < x + width && y < r.y + r.h && r.y < y + height);
    let spot = null;
    for (const [ox, oy] of fixed ? [[0, 0]] : ringOffsets(width + 6, height + 6, width < 200 ? 10 : 6)) {
      const [x, y] = clamp(sx - width / 2 + ox, sy - height / 2 + oy);
      if (!touches(x, y)) {
        spot = [x, y];
        break;
      }
    }
    if (!spot) {
      // Nowhere free nearby: the least covered of the nearest spots.
      let least = Infinity;
      for (const [ox, oy] of ringOffsets(width + 6, height + 6, 1)) {
        const [x, y] = clamp(sx - width / 2 + ox, sy - height / 2 + oy);
        const area = covered(x, y);
        if (area < least) [least, spot] = [area, [x, y]];
      }
    }
    placed.push({ x: spot[0], y: spot[1], w: width, h: height });
    return spot;
  }

  // Draws (or updates) a node's card; its leader line and text marker, if any, are added to
  // `links` (parts for the link layer).
  renderNode(node, links = [], placed = [], compact = false) {
    const model = this.model;
    const position = this.pos(node);
    const [sx, sy] = this.toScreen(position);
    const marker = this.mode === "map" ? null : model.textPosition(node);
    if (marker && !this.overrides.has(node.id) && !node.pending) {
      const [mx, my] = this.toScreen(marker);
      links.push({ tag: "line", attributes: { x1: sx, y1: sy, x2: mx, y2: my, class: "marker-link" } });
      links.push({ tag: "circle", attributes: { cx: mx, cy: my, r: 5, class: "marker" } });
    }
    const preview = this.previews.get(node.id);
    const staged = !preview && node.pending ? this.staged.get(node.id) : undefined;
    const text = preview ?? staged?.text ?? node.text ?? "";
    const fixed = this.overrides.has(node.id);
    const small = compact && !fixed && !this.selection.includes(node.id);
    const lines = small ? [shorten(text || "decoding…", 28)] : wrap(text || "decoding…", 30);
    const width = small ? 7 * lines[0].length + 16 : 236;
    const height = small ? 20 : 18 * lines.length + 26;
    const classes = ["card"];
    if (small) classes.push("compact");
    if (this.selection.includes(node.id)) classes.push("selected");
    if (this.peerDrags.has(node.id)) classes.push("peer-drag");
    if (staged) classes.push("provisional");
    const [left, top] = this.place(sx, sy, width, height, placed, fixed);
    if (Math.abs(left + width / 2 - sx) > 1 || Math.abs(top + height / 2 - sy) > 1) {
      // Drawn away from its point: a leader line and a dot show where it really is.
      const ex = Math.max(left, Math.min(left + width, sx));
      const ey = Math.max(top, Math.min(top + height, sy));
      links.push({ tag: "line", attributes: { x1: sx, y1: sy, x2: ex, y2: ey, class: "leader" } });
      links.push({ tag: "circle", attributes: { cx: sx, cy: sy, r: 3, class: "leader-dot" } });
    }
    const textClass = preview || node.pending || !node.text ? "pending" : "";
    const stripe = this.mode === "map" && this.colourBy ? colourForValue(this.colourValue(node)) : null;
    let badge = null;
    if (small) {
      // A compact card has no badge.
    } else if (staged) {
      badge = { text: `provisional · ${staged.stage === "bank" ? "nearest sentence" : "first draft"} ${staged.fidelity.toFixed(2)}`, class: "badge provisional-badge", fill: null };
    } else if (node.fidelity != null && node.source && !preview) {
      const f = node.fidelity;
      badge = { text: `${node.source === "bank" ? "bank · " : ""}fidelity ${f.toFixed(2)}`, class: "badge", fill: f > 0.8 ? "#2b8a3e" : f > 0.6 ? "#8f6b00" : "#c92a2a" };
    }
    const g = this.cardView(node.id);
    g.setAttribute("class", classes.join(" "));
    g.setAttribute("transform", `translate(${left},${top})`);
    if (staged) g.setAttribute("data-stage", staged.stage);
    else g.removeAttribute("data-stage");
    const view = this.cardViews.get(node.id);
    const signature = JSON.stringify([small, width, height, lines, textClass, Boolean(node.pending || !node.text), stripe, badge]);
    if (view.signature === signature) return;
    view.signature = signature;
    // The card's parts, updated in place: an element keeps its identity while its kind and
    // place among the parts stay the same.
    const parts = [{ tag: "rect", attributes: { width, height } }];
    if (stripe) parts.push({ tag: "rect", attributes: { width: 6, height, class: "colour-stripe", fill: stripe } });
    if (small) {
      parts.push({ tag: "text", attributes: { x: 8, y: 14, class: node.pending || !node.text ? "pending" : "" }, text: lines[0] });
    } else {
      lines.forEach((line, i) => parts.push({ tag: "text", attributes: { x: 10, y: 20 + i * 18, class: textClass }, text: line }));
      if (badge) {
        const attributes = { x: width - 10, y: height - 8, "text-anchor": "end", class: badge.class };
        if (badge.fill) attributes.fill = badge.fill;
        parts.push({ tag: "text", attributes, text: badge.text });
      }
    }
    syncChildren(g, parts);
  }

  // The kept element of a node's card, made (with its handlers, which look the node up
  // when they fire) the first time it is drawn.
  cardView(id) {
    let view = this.cardViews.get(id);
    if (!view) {
      const g = el("g", { "data-node": id });
      g.addEventListener("click", (event) => this.handlers.onSelect(id, event.shiftKey));
      g.addEventListener("pointerdown", (event) => {
        const node = this.model?.nodes.get(id);
        if (node && !this.readOnly) this.startDrag(event, node);
      });
      view = { g, signature: null };
      this.cardViews.set(id, view);
    }
    return view.g;
  }

  // Moves one drawn card (or dot) to `position` without redrawing the others; false when
  // it is not drawn as a card pinned to its point (then the caller redraws).
  moveCard(id, position) {
    if (this.moveDot(id, position)) return true;
    const g = this.root.querySelector(`.card[data-node="${CSS.escape(id)}"]`);
    const rect = g?.querySelector("rect");
    if (!g || !rect || g.classList.contains("compact")) return false;
    const width = Number(rect.getAttribute("width"));
    const height = Number(rect.getAttribute("height"));
    const [sx, sy] = this.toScreen(position);
    const [w, h] = this.size();
    const left = Math.max(2, Math.min(w - width - 2, sx - width / 2));
    const top = Math.max(2, Math.min(h - height - 2, sy - height / 2));
    g.setAttribute("transform", `translate(${left},${top})`);
    return true;
  }

  startDrag(event, node) {
    {
      event.stopPropagation();
      const start = this.local(event);
      const origin = this.pos(node);
      let moved = false;
      let position = origin;
      this.dragging = node.id;
      const move = (e) => {
        const point = this.local(e);
        if (!moved && Math.hypot(point[0] - start[0], point[1] - start[1]) < 3) return;
        const first = !moved;
        moved = true;
        position = [origin[0] + (point[0] - start[0]) / this.scale, origin[1] - (point[1] - start[1]) / this.scale];
        this.overrides.set(node.id, position);
        this.handlers.onDrag(node.id, position[0], position[1], false);
        // The first move redraws everything (the card is now pinned to its point, the
        // others make room); later ones only move this card.
        if (first || !this.moveCard(node.id, position)) this.render();
      };
      // Listen on the window: the pointer leaves the card as soon as it moves fast.
      const finish = () => {
        window.removeEventListener("pointermove", move);
        window.removeEventListener("pointerup", up);
        window.removeEventListener("keydown", escape);
        this.dragging = null;
      };
      const up = () => {
        finish();
        if (moved) this.handlers.onDrag(node.id, position[0], position[1], true);
      };
      // Escape cancels the drag: the node goes back where it was (a final move there,
      // since the drag may already have committed intermediate moves).
      const escape = (e) => {
        if (e.key !== "Escape") return;
        finish();
        if (moved) {
          this.overrides.set(node.id, origin);
          this.handlers.onDrag(node.id, origin[0], origin[1], true);
          this.render();
        }
      };
      window.addEventListener("pointermove", move);
      window.addEventListener("pointerup", up);
      window.addEventListener("keydown", escape);
    }
  }
}
