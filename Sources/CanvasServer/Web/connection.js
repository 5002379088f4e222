// The WebSocket session: hello → join (resyncing from the last seq after a reconnect),
// reconnecting with backoff, and a visible status.

// Close code of a server that does not serve this document (any more): another node of a
// cluster does. Reconnect at once; the router sends us on to the owner.
export const MOVED_CLOSE_CODE = 4010;

// Milliseconds before reconnect attempt `attempt` after a close with `code`: 100–300 ms
// after "moved", otherwise exponential backoff from 300 ms up to 5 s.
export function reconnectDelay(code, attempt, random = Math.random) {
  if (code === MOVED_CLOSE_CODE) return 100 + Math.floor(200 * random());
  return Math.min(5000, 300 * 2 ** attempt);
}

export class Connection {
  constructor({ doc, token, replica, actor, onFrame, onStatus }) {
    Object.assign(this, { doc, token, replica, actor, onFrame, onStatus });
    this.lastSeq = null;
    this.attempt = 0;
    this.open();
  }

  url() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const query = this.token ? `?token=${encodeURIComponent(this.token)}` : "";
    return `${scheme}://${location.host}/v1/docs/${encodeURIComponent(this.doc)}${query}`;
  }

  open() {
    this.onStatus("connecting");
    const ws = new WebSocket(this.url());
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.send({ t: "hello", replica: this.replica, actor: this.actor, protocol: 1 });
    };
    ws.onmessage = (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      if (frame.t === "welcome") {
        const join = { t: "join" };
        if (this.lastSeq !== null) join.sinceSeq = this.lastSeq;
        this.send(join);
      }
      if (frame.t === "joined") this.onStatus("online");
      if (typeof frame.seq === "number" && (frame.t === "op" || frame.t === "snapshot")) this.lastSeq = Math.max(this.lastSeq ?? 0, frame.seq);
      if (frame.t === "ops") for (const entry of frame.ops) this.lastSeq = Math.max(this.lastSeq ?? 0, entry.seq);
      this.onFrame(frame);
    };
    ws.onclose = (event) => {
      const moved = event.code === MOVED_CLOSE_CODE;
      this.onStatus(moved ? "moving" : "offline");
      setTimeout(() => this.open(), reconnectDelay(event.code, this.attempt++));
    };
    ws.onerror = () => {}; // onclose follows and reconnects
  }

  get isOpen() { return this.ws && this.ws.readyState === WebSocket.OPEN; }

  send(frame) {
    if (this.isOpen) this.ws.send(JSON.stringify(frame));
    return this.isOpen;
  }
}
