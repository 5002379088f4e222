// The history scrubber: the document as it was at an earlier seq (fetched from the server,
// read-only), played forward at a chosen speed; "restore to here" appends the ops that bring
// the present back to that state — history is never rewritten.
import { DocumentModel } from "./model.js";

// The ops, as [kind, payload] pairs, that turn `now` into `past` (both DocumentModels):
// nodes made since are deleted; nodes deleted since come back as new nodes (`newId(id)`,
// origin "restored", with their latent and text); nodes whose text changed move back to
// their coordinates on the axes that still exist.
export function restoreOps(now, past, newId) {
  const ops = [];
  for (const id of now.nodes.keys()) {
    if (!past.nodes.has(id)) ops.push(["node.delete", { node: id }]);
  }
  for (const [id, node] of past.nodes) {
    const current = now.nodes.get(id);
    if (!current) {
      const payload = { node: newId(id), origin: { kind: "restored", parents: [id] } };
      if (node.latent) payload.latent = node.latent;
      if (node.text) payload.text = node.text;
      ops.push(["node.create", payload]);
    } else if (current.text !== node.text && node.text) {
      const coordinates = Object.entries(node.coords || {})
        .filter(([axis]) => now.axes.has(axis)).map(([axis, c]) => ({ axis, value: c.at }));
      if (coordinates.length) ops.push(["node.move", { node: id, coordinates }]);
    }
  }
  return ops;
}

export class Scrubber {
  // elements: {controls, range, label, play, speed}; deps: model() (the live model),
  // fetchState(seq) (the state JSON at seq), historyList() (the HistoryList), changed()
  // (redraw after a change of what is shown), showError, sendOp(kind, payload).
  constructor(elements, deps) {
    Object.assign(this, elements, deps);
    this.replay = null; // a DocumentModel at an earlier seq while the scrubber is open
    this.playing = null;
    this.token = 0; // only the latest scrub may show its state
    this.range.addEventListener("input", (event) => this.scrub(Number(event.target.value)));
    this.play.addEventListener("click", () => this.togglePlay());
  }

  // The seq shown: the replay's, or the live model's.
  get seq() { return this.replay ? this.replay.seq : this.model().seq; }

  open() {
    const head = this.model().seq;
    this.controls.hidden = false;
    this.range.max = String(head);
    this.range.value = String(head);
    this.scrub(head);
    this.historyList().load(head).then(() => this.changed())
      .catch((error) => this.showError(`history: ${error.message}`));
  }

  close() {
    clearInterval(this.playing);
    this.playing = null;
    this.play.textContent = "Play";
    this.replay = null;
    document.body.classList.remove("replaying");
    this.controls.hidden = true;
    this.historyList().hide();
    this.changed();
  }

  // Shows the document at `seq` (the slider follows when picked from the list).
  async scrub(seq) {
    const mine = ++this.token;
    const head = this.model().seq;
    this.range.value = String(seq);
    this.label.textContent = `seq ${seq} of ${head}`;
    try {
      const state = await this.fetchState(seq);
      if (mine !== this.token) return;
      const replay = new DocumentModel();
      replay.loadState(state);
      this.replay = replay;
      // Say who did what, and when, at this point of the history.
      const entry = this.historyList().entry(seq);
      this.label.textContent = `seq ${seq} of ${head}` + (entry ? ` · ${entry.actor}: ${entry.text}` : "");
      this.historyList().render();
      document.body.classList.add("replaying");
      this.changed();
    } catch (error) {
      this.showError(`history: ${error.message}`);
    }
  }

  // Plays forward from the slider, `speed` seqs every 250 ms, up to the live head.
  togglePlay() {
    if (this.playing) {
      clearInterval(this.playing);
      this.playing = null;
      this.play.textContent = "Play";
      return;
    }
    this.play.textContent = "Pause";
    this.playing = setInterval(() => {
      const head = this.model().seq;
      const next = Math.min(head, Number(this.range.value) + Number(this.speed.value));
      this.range.max = String(head);
      this.scrub(next);
      if (next >= head) this.togglePlay();
    }, 250);
  }

  // Appends the ops that bring the present back to the state shown, then closes.
  restore() {
    if (!this.replay) return;
    const past = this.replay;
    this.close();
    const newId = (id) => `${id}-r${crypto.randomUUID().slice(0, 4)}`;
    for (const [kind, payload] of restoreOps(this.model(), past, newId)) this.sendOp(kind, payload);
  }
}
