// Latitude's canvas: wires the connection, the document model, the SVG view and the panels.
import { Connection } from "./connection.js";
import { DocumentModel } from "./model.js";
import { CanvasView, colourFor } from "./view.js";
import { SweepPanel } from "./sweep.js";
import { FeaturesPanel } from "./features.js";
import { ReadoutPanel } from "./readout.js";
import { AxesPanel } from "./axes.js";
import { UndoHistory } from "./undo.js";
import { MapPanel } from "./map.js";
import { HistoryList } from "./history.js";
import { PeopleList } from "./people.js";
import { Scrubber } from "./scrubber.js";
import { FormsPanel } from "./forms.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const doc = params.get("doc");
const token = params.get("token");
const replica = sessionStorage.getItem("latitude.replica") || `web-${crypto.randomUUID().slice(0, 12)}`;
sessionStorage.setItem("latitude.replica", replica);
const actor = params.get("name") || localStorage.getItem("latitude.name") || `guest-${replica.slice(4, 8)}`;

const model = new DocumentModel();
// What the canvas shows: the live document, or an earlier state while the scrubber is open.
const shown = () => scrubber.replay || model;
let lamport = 0;
let fitted = false;
// Who else is here, and what they drag (stale drags expire on their own).
const people = new PeopleList($("people"), { actor, nodeText: (id) => model.nodes.get(id)?.text });
people.startExpiry();

function showError(message) {
  const item = document.createElement("div");
  item.textContent = message;
  $("errors").appendChild(item);
  setTimeout(() => item.remove(), 6000);
}

const view = new CanvasView($("canvas"), {
  onDrag: (node, x, y, done) => drag(node, x, y, done),
  onSelect: (id, additive) => select(id, additive),
  onCursor: (x, y) => sendPresence({ cursor: [x, y] }),
});

$("doc-input").value = doc || "";
$("name-input").value = actor;
$("doc-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const next = new URLSearchParams(location.search);
  next.set("doc", $("doc-input").value.trim());
  location.search = next.toString();
});
$("name-input").addEventListener("change", () => {
  localStorage.setItem("latitude.name", $("name-input").value.trim());
  location.reload();
});
$("share").addEventListener("click", async () => {
  const link = new URL(location.href);
  link.searchParams.delete("name");
  try {
    await navigator.clipboard.writeText(link.toString());
    $("share").textContent = "Link copied";
  } catch {
    $("share").textContent = link.toString();
  }
  setTimeout(() => ($("share").textContent = "Share link"), 2500);
});

function setStatus(status) {
  $("status").textContent = status;
  $("status").className = `status ${status}`;
  document.body.dataset.status = status;
}

if (!doc) {
  setStatus("offline");
  $("doc-input").focus();
  $("readout").innerHTML = '<p class="hint">Open a document: type an id and press Open. Anyone with the link can join.</p>';
} else {
  document.title = `${doc} · Latitude`;
}

const connection = doc ? new Connection({ doc, token, replica, actor, onFrame, onStatus: setStatus }) : null;

function nextID() {
  lamport = Math.max(lamport, model.maxLamport) + 1;
  return { lamport, replica };
}

// Our own ops come back as acks, not op frames: apply them when acked.
const sent = new Map(); // lamport → { kind, payload }
function sendOp(kind, payload, { quiet = false } = {}) {
  if (scrubber.replay) return showError("close the history scrubber to edit");
  const id = nextID();
  if (!connection?.send({ t: "op", op: { id, kind, payload } })) return showError("offline: the change was not sent");
  sent.set(id.lamport, { kind, payload, id, quiet });
}

// The axis pickers, axes from examples and the packs' built-in axes.
const axesPanel = new AxesPanel({ sendOp: (kind, payload) => sendOp(kind, payload), model: () => shown() });

// First use: a brand-new document (head 0) gets two built-in axes bound to x and y, as
// ordinary logged ops. Their ids are fixed, so two people opening the same new document at
// once create them once (the second axis.create is refused as a duplicate).
const FIRST_AXES = [["x", "sentiment"], ["y", "formality"]];
function startNewDocument() {
  if (!canEdit || startedNew) return;
  startedNew = true;
  axesPanel.packAxes.then((axes) => {
    const available = new Set(axes.map((a) => a.id));
    const bind = {};
    for (const [slot, id] of FIRST_AXES) {
      if (!available.has(id)) continue;
      sendOp("axis.create", { axis: id, provider: "pack", params: { axis: id } }, { quiet: true });
      bind[slot] = id;
    }
    if (Object.keys(bind).length) sendOp("view.bind", bind);
  });
}
let startedNew = false;
let canEdit = true;

// Binding an axis moves every card: fit the view to them on the next frame.
function fitSoon() {
  fitted = false;
  redraw();
}

let refreshQueued = null;
function scheduleRefresh() {
  clearTimeout(refreshQueued);
  refreshQueued = setTimeout(refresh, 30);
}

function acked(frame) {
  const op = sent.get(frame.opId.lamport);
  sent.delete(frame.opId.lamport);
  if (!op) return;
  const nodeOp = ["node.create", "node.move", "node.setText"].includes(op.kind);
  const asSent = ["view.bind", "node.delete", "axis.delete", "feature.name", "plugins.allow"].includes(op.kind);
  if (asSent || (nodeOp && frame.coords)) {
    // Our own op as peers see it: a node op's ack carries the node's coordinates as
    // logged, the others are applied as sent, so nothing is refetched.
    model.apply(frame.seq, { id: op.id, actor, kind: op.kind, payload: { ...op.payload, coords: frame.coords } });
    const node = model.nodes.get(op.payload.node);
    if (node && op.payload.latent) node.latent = op.payload.latent;
    if (op.kind === "view.bind" || (op.kind === "node.create" && !fitted)) fitSoon();
  } else if (frame.op) {
    // An axis op comes back as peers see it: the logged name and poles, and every node's
    // coordinate on the axis.
    if (model.apply(frame.seq, frame.op)) scheduleRefresh();
  } else if (op.kind === "node.move") {
    const node = model.nodes.get(op.payload.node);
    if (node) node.pending = true;
  } else if (op.kind !== "op.apply") {
    scheduleRefresh();
  }
  if (nodeOp) model.noteWriter(op.payload.node, replica, actor);
}

async function refresh() {
  try {
    const query = token ? `&token=${encodeURIComponent(token)}` : "";
    const response = await fetch(`/v1/docs/${encodeURIComponent(doc)}/state?latents=1${query}`);
    if (!response.ok) throw new Error(`${response.status}`);
    const state = await response.json();
    if (state.seq >= model.seq) model.loadState(state);
  } catch (error) {
    showError(`could not load the document state (${error.message})`);
  }
  redraw();
}

function onFrame(frame) {
  switch (frame.t) {
    case "welcome":
      canEdit = frame.role !== "viewer";
      break;
    case "snapshot":
      model.loadSnapshot(frame.seq, frame.state);
      scheduleRefresh();
      break;
    case "ops":
    case "history": {
      let needsRefresh = false;
      for (const entry of frame.ops) needsRefresh = model.apply(entry.seq, entry.op) || needsRefresh;
      if (needsRefresh) scheduleRefresh();
      break;
    }
    case "joined":
      model.seq = Math.max(model.seq, frame.head);
      if (frame.head === 0) startNewDocument();
      break;
    case "op":
      if (model.apply(frame.seq, frame.op)) scheduleRefresh();
      if (frame.op.kind === "view.layout") {
        for (const placed of frame.op.payload.positions) if (view.dragging !== placed.node) view.overrides.delete(placed.node);
        mapPanel.onLayout(!frame.op.payload.run);
      }
      if (frame.op.kind === "view.bind") fitSoon();
      if ((frame.op.kind === "node.decoded" || frame.op.kind === "node.move") && view.dragging !== frame.op.payload.node) {
        view.previews.delete(frame.op.payload.node);
        view.staged.delete(frame.op.payload.node);
        view.overrides.delete(frame.op.payload.node);
        view.peerDrags.delete(frame.op.payload.node);
      }
      break;
    case "ack":
      lamport = Math.max(lamport, frame.opId.lamport);
      model.seq = Math.max(model.seq, frame.seq);
      acked(frame);
      break;
    case "nack": {
      const op = frame.opId ? sent.get(frame.opId.lamport) : undefined;
      if (frame.opId) sent.delete(frame.opId.lamport);
      // A first-use axis someone else created a moment earlier is not an error.
      if (!op?.quiet) showError(`${frame.code}: ${frame.message}`);
      if (op?.kind === "op.apply" && op.payload.plugin === "latitude.maps") mapPanel.onRefused();
      break;
    }
    case "error":
      // A server without a feature dictionary answers the Features panel's requests so.
      if (frame.code === "unavailable" && frame.message.includes("feature dictionary")) featuresPanel.onError(frame.message);
      else showError(`${frame.code}: ${frame.message}`);
      break;
    case "drag":
      view.overrides.set(frame.node, [frame.x, frame.y]);
      people.onDrag(frame);
      // A peer's drag already on screen moves one card; its first frame redraws.
      if (view.peerDrags.has(frame.node) && view.dragging !== frame.node && view.moveCard(frame.node, [frame.x, frame.y])) return;
      view.peerDrags.add(frame.node);
      break;
    case "preview":
      if (view.overrides.has(frame.node)) view.previews.set(frame.node, frame.text);
      break;
    case "features":
      featuresPanel.onFeatures(frame);
      break;
    case "sweep.step":
      sweepPanel.onStep(frame);
      break;
    case "decode.stage":
      // Provisional text for a committed move, until its node.decoded arrives.
      view.staged.set(frame.node, { text: frame.text, stage: frame.stage, fidelity: frame.fidelity });
      break;
    case "presence":
      people.onPresence(frame);
      if (frame.left) view.cursors.delete(frame.actor);
      else if (frame.cursor) view.cursors.set(frame.actor, { x: frame.cursor[0], y: frame.cursor[1], colour: colourFor(frame.actor) });
      people.render();
      break;
  }
  redraw();
}

let redrawQueued = false;
function redraw() {
  if (redrawQueued) return;
  redrawQueued = true;
  requestAnimationFrame(() => {
    redrawQueued = false;
    view.setModel(shown(), !!scrubber.replay);
    if (!fitted && !scrubber.replay && model.nodes.size) {
      fitted = true;
      view.fit();
    }
    $("empty-hint").hidden = !!shown().nodes.size > 0;
    axesPanel.render();
    readoutPanel.render(shown(), view.selection, !!scrubber.replay);
    sweepPanel.refresh();
    featuresPanel.refresh();
    mapPanel.render();
    $("selection-count").textContent = `(${view.selection.length} selected)`;
  });
}

// Dragging: positions stream at ~30/s; a move is committed every 250 ms and on release.
let lastDrag = 0;
let lastMove = 0;
function drag(node, x, y, done) {
  if (view.mode === "map") return dragOnMap(node, x, y, done);
  const now = performance.now();
  const coordinates = [];
  if (model.view.x) coordinates.push({ axis: model.view.x, value: x });
  if (model.view.y) coordinates.push({ axis: model.view.y, value: y });
  if (!coordinates.length) {
    if (done) showError("bind an axis to x or y before dragging");
    return;
  }
  if (done || now - lastDrag > 33) {
    lastDrag = now;
    connection?.send({ t: "drag", node, x, y });
    if (!done) sendPresence({ dragging: node });
  }
  if (done) sendPresence({ dragging: null }, true);
  // The whole drag is one undo step: back to where the node was when it began.
  if (!dragUndo || dragUndo.node !== node) dragUndo = { node, inverse: undo.inverse("node.move", { node, coordinates }) };
  if (done || now - lastMove > 250) {
    lastMove = now;
    sendOp("node.move", { node, coordinates });
  }
  if (done) {
    undo.record([{ kind: "node.move", payload: { node, coordinates } }], dragUndo.inverse);
    dragUndo = null;
  }
}

// On the map a drop moves the node's latent towards the nodes placed where it was dropped
// (the server averages their latents); the server then places it by transform. Its card
// stays where it was dropped until that placement arrives.
function dragOnMap(node, x, y, done) {
  if (!done) return;
  if (!model.map) return showError("compute a map first");
  const current = model.nodes.get(node);
  const [mx, my] = model.toMapUnits([x, y]);
  const coordinates = Object.entries(current?.coords || {})
    .filter(([, c]) => Number.isFinite(c.at)).map(([axis, c]) => ({ axis, value: c.at }));
  undo.record([{ kind: "node.move", payload: { node, map: { x: mx, y: my } } }],
    coordinates.length ? [{ kind: "node.move", payload: { node, coordinates } }] : null);
  sendOp("node.move", { node, map: { x: mx, y: my } });
  setTimeout(() => { view.overrides.delete(node); redraw(); }, 4000);
}

let lastPresence = 0;
let presence = {};
function sendPresence(update, force = false) {
  presence = { ...presence, ...update, selection: view.selection };
  const now = performance.now();
  if (!force && now - lastPresence < 100) return;
  lastPresence = now;
  const frame = { t: "presence", selection: presence.selection };
  if (presence.cursor) frame.cursor = presence.cursor;
  if (presence.dragging) frame.dragging = presence.dragging;
  connection?.send(frame);
}

function select(id, additive) {
  if (id === null) view.selection = [];
  else if (additive) view.selection = view.selection.includes(id) ? view.selection.filter((s) => s !== id) : [...view.selection, id];
  else view.selection = [id];
  sendPresence({});
  updateTrail();
  redraw();
}

// With the history open and one node selected, the canvas shows that node's trail.
function updateTrail() {
  const open = !$("history-panel").hidden;
  view.trail = open && view.selection.length === 1
    ? historyList.trail(view.selection[0], scrubber.seq) : null;
}

people.render();

$("fit").addEventListener("click", () => view.fit());

// History: scrub from the first op to now; "restore to here" appends ops.
const scrubber = new Scrubber({
  controls: $("hist-controls"), range: $("hist-range"), label: $("hist-label"), play: $("hist-play"),
  speed: $("hist-speed"),
}, {
  model: () => model, historyList: () => historyList, showError,
  sendOp: (kind, payload) => sendOp(kind, payload),
  changed() { updateTrail(); redraw(); },
  async fetchState(seq) {
    const query = token ? `&token=${encodeURIComponent(token)}` : "";
    const response = await fetch(`/v1/docs/${encodeURIComponent(doc)}/state?seq=${seq}&latents=1${query}`);
    if (!response.ok) throw new Error(`${response.status}`);
    return response.json();
  },
});
$("hist-toggle").addEventListener("click", () => scrubber.open());
$("hist-close").addEventListener("click", () => scrubber.close());
$("hist-restore").addEventListener("click", () => scrubber.restore());

// Undo and redo of your own changes (Ctrl/Cmd+Z, Shift+Ctrl/Cmd+Z or Ctrl+Y, the buttons).
const undo = new UndoHistory({
  model: () => model, replica, sendOp: (kind, payload) => sendOp(kind, payload),
  notify: showError, changed: () => {
    $("undo").disabled = !undo.canUndo;
    $("redo").disabled = !undo.canRedo;
  },
});
let dragUndo = null;
$("undo").addEventListener("click", () => undo.undo());
$("redo").addEventListener("click", () => undo.redo());

// Typing sentences onto the canvas, and the operations on the selection.
const formsPanel = new FormsPanel({
  nodeForm: $("node-form"), nodeText: $("node-text"), mixWeight: $("mix-weight"),
  blurRadius: $("blur-radius"), blurCount: $("blur-count"),
  buttons: { mix: $("op-mix"), blur: $("op-blur"), analogy: $("op-analogy"), "pca-layout": $("op-pca") },
}, {
  perform: (kind, payload) => undo.perform(kind, payload), sendOp: (kind, payload) => sendOp(kind, payload),
  selection: () => view.selection, showError,
});

// The readout: where the selected nodes sit on every axis, their fidelity, runners-up,
// and an editor for one node's text.
const readoutPanel = new ReadoutPanel($("readout"), { perform: (kind, payload) => undo.perform(kind, payload) });

const sweepPanel = new SweepPanel({
  send: (frame) => connection?.send(frame),
  sendOp: (kind, payload) => undo.perform(kind, payload),
  model: () => shown(),
  selection: () => view.selection,
});

// The Features panel reads REST routes; `{doc}` in a path is this document.
async function getJSON(path) {
  const url = path.replace("{doc}", encodeURIComponent(doc));
  const query = token ? `${url.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}` : "";
  const response = await fetch(url + query);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.message || `${response.status}`);
  return body;
}

const featuresPanel = new FeaturesPanel({
  get: getJSON, send: (frame) => !!connection?.send(frame), sendOp: (kind, payload) => sendOp(kind, payload),
  model: () => shown(), selection: () => view.selection, notify: showError,
  colourMap: (feature) => mapPanel.colourByFeature(feature),
});

const historyList = new HistoryList({ panel: $("history-panel"), list: $("hist-list"), person: $("hist-person") }, {
  async fetchOps(from, limit) {
    const query = token ? `&token=${encodeURIComponent(token)}` : "";
    const response = await fetch(`/v1/docs/${encodeURIComponent(doc)}/ops?from=${from}&limit=${limit}${query}`);
    if (!response.ok) throw new Error(`${response.status}`);
    return (await response.text()).split("\n").filter(Boolean).map((line) => JSON.parse(line));
  },
  onPick: (seq) => scrubber.scrub(seq),
  current: () => (scrubber.seq),
});

const mapPanel = new MapPanel({
  mode: [...document.querySelectorAll('input[name="view-mode"]')],
  method: $("map-method"), run: $("map-run"), colour: $("map-colour"), status: $("map-status"),
}, {
  view, model: () => shown(), sendOp: (kind, payload) => sendOp(kind, payload), get: getJSON, showError, redraw,
});

// Keyboard: Delete removes the selection; arrow keys nudge it along the bound axes (0.1,
// or 0.5 with Shift) as a logged move, decoded like a drag. Only when no form field has
// the focus.
const NUDGES = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
window.addEventListener("keydown", (event) => {
  const typing = document.activeElement?.closest?.("input, textarea, select");
  if (typing || scrubber.replay) return;
  if ((event.ctrlKey || event.metaKey) && (event.key === "z" || event.key === "Z" || event.key === "y")) {
    event.preventDefault();
    if (event.key === "y" || event.shiftKey) undo.redo();
    else undo.undo();
    return;
  }
  if ((event.key === "Delete" || event.key === "Backspace") && view.selection.length) {
    event.preventDefault();
    for (const id of view.selection) undo.perform("node.delete", { node: id });
  } else if (NUDGES[event.key] && view.selection.length && view.mode !== "map") {
    event.preventDefault();
    const [dx, dy] = NUDGES[event.key].map((d) => d * (event.shiftKey ? 0.5 : 0.1));
    if ((dx && !model.view.x) || (dy && !model.view.y)) return showError("bind an axis to that direction first");
    for (const id of view.selection) {
      const node = model.nodes.get(id);
      if (!node) continue;
      const [x, y] = model.position(node);
      const coordinates = [];
      if (model.view.x) coordinates.push({ axis: model.view.x, value: x + dx });
      if (model.view.y) coordinates.push({ axis: model.view.y, value: y + dy });
      undo.perform("node.move", { node: id, coordinates });
      // Shown where it was sent at once, so the next nudge starts from there.
      for (const { axis, value } of coordinates) node.coords[axis] = { ...node.coords[axis], at: value };
      node.pending = true;
    }
    redraw();
  }
});

// Test and screenshot hook: the current model, read-only.
window.latitude = { model: () => (shown()), view, connection: () => connection, mapPanel, featuresPanel };
redraw();
