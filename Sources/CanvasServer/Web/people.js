// The People list: who else is in the room, and what they are dragging. A peer shows as
// dragging only while its drags keep arriving, so a release, a disconnect or a lost frame
// can never leave a stale "dragging" behind.
import { colourFor } from "./view.js";

// How long a drag frame keeps its peer marked as dragging.
export const DRAG_PRESENCE_MS = 1500;

export class PeopleList {
  // hooks: { actor (you), nodeText(id) → text or undefined, now() → ms, onChange() }
  constructor(list, hooks) {
    this.list = list;
    this.hooks = { now: () => performance.now(), onChange: () => {}, ...hooks };
    this.peers = new Map(); // connection id → { actor, colour, dragging, dragSeen }
  }

  isDragging(peer) {
    return !!peer.dragging && this.hooks.now() - (peer.dragSeen ?? 0) < DRAG_PRESENCE_MS;
  }

  // A peer's drag frame: it is dragging `node` as of now.
  onDrag(frame) {
    this.peers.set(frame.from, { ...(this.peers.get(frame.from) || {}), actor: frame.actor, dragging: frame.node, dragSeen: this.hooks.now() });
  }

  // A presence frame: a peer left, or its state (and what it drags) changed.
  onPresence(frame) {
    if (frame.left) {
      this.peers.delete(frame.from);
    } else {
      const known = this.peers.get(frame.from) || {};
      this.peers.set(frame.from, {
        actor: frame.actor, colour: colourFor(frame.actor), dragging: frame.dragging,
        dragSeen: frame.dragging ? (known.dragging === frame.dragging ? known.dragSeen : this.hooks.now()) : undefined,
      });
    }
  }

  // Forgets drags whose frames stopped; true when that changed anything.
  expire() {
    let changed = false;
    for (const peer of this.peers.values()) {
      if (peer.dragging && !this.isDragging(peer)) {
        peer.dragging = undefined;
        changed = true;
      }
    }
    return changed;
  }

  // The lines of the list: you first, then every peer ({ name, colour, text }).
  entries() {
    const you = { name: this.hooks.actor, colour: colourFor(this.hooks.actor), text: `${this.hooks.actor} (you)` };
    return [you, ...[...this.peers.values()].map((peer) => ({
      name: peer.actor,
      colour: peer.colour || colourFor(peer.actor),
      text: peer.actor + (this.isDragging(peer) ? ` — dragging ${this.hooks.nodeText(peer.dragging)?.slice(0, 24) ?? peer.dragging}` : ""),
    }))];
  }

  render() {
    this.list.replaceChildren(...this.entries().map((entry) => {
      const item = document.createElement("li");
      const dot = document.createElement("span");
      dot.className = "dot";
      dot.style.background = entry.colour;
      item.append(dot, entry.text);
      return item;
    }));
  }

  // Checks for stale drags twice a second (re-rendering when one ended).
  startExpiry() {
    setInterval(() => {
      if (this.expire()) this.render();
    }, 500);
  }
}
