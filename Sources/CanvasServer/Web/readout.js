// The Readout panel: for each selected node, where the model places it on every axis (a
// bar per axis), the fidelity and source of its text, the runners-up, and for a single
// selection an editor for its text and a Delete button.

export class ReadoutPanel {
  // `box` is the panel's element; `perform(kind, payload)` sends an op through undo.
  constructor(box, { perform }) {
    this.box = box;
    this.perform = perform;
    this.signature = "";
  }

  // Redraws from `model` (the live one or the history's) and the selected ids; `replaying`
  // hides the editor. Never rebuilds under the user's cursor, nor when nothing changed.
  render(model, selection, replaying) {
    const box = this.box;
    if (box.contains(document.activeElement)) return;
    const signature = JSON.stringify([replaying, selection, selection.map((id) => model.nodes.get(id)), [...model.axes.keys()]]);
    if (signature === this.signature) return;
    this.signature = signature;
    if (!selection.length) {
      box.innerHTML = '<p class="hint">Select a node to see how the model places it on every axis.</p>';
      return;
    }
    box.replaceChildren();
    for (const id of selection) {
      const node = model.nodes.get(id);
      if (!node) continue;
      const title = document.createElement("div");
      title.className = "node-title";
      title.textContent = node.text ?? "decoding…";
      box.appendChild(title);
      for (const axis of model.axes.values()) {
        const value = node.coords[axis.id]?.at;
        if (value !== undefined) box.appendChild(this.bar(axis.name, value));
      }
      if (node.fidelity != null) {
        const info = document.createElement("p");
        info.className = "hint";
        info.textContent = `fidelity ${node.fidelity.toFixed(3)}${node.source ? ` · ${node.source}` : ""}`;
        box.appendChild(info);
      }
      if (node.runnersUp?.length) box.appendChild(this.runnersUp(node.runnersUp));
      if (!replaying && selection.length === 1) box.appendChild(this.editor(id, node));
    }
  }

  // One axis: its name, a bar from the centre (±2 fills the half), the coordinate.
  bar(name, value) {
    const row = document.createElement("div");
    row.className = "bar-row";
    const label = document.createElement("span");
    label.textContent = name;
    const bar = document.createElement("div");
    bar.className = "bar";
    const fill = document.createElement("span");
    const clamped = Math.max(-2, Math.min(2, value));
    fill.style.left = `${50 + Math.min(0, clamped) * 25}%`;
    fill.style.width = `${Math.abs(clamped) * 25}%`;
    bar.appendChild(fill);
    const number = document.createElement("span");
    number.textContent = value.toFixed(2);
    row.append(label, bar, number);
    return row;
  }

  runnersUp(runners) {
    const details = document.createElement("details");
    details.innerHTML = "<summary>Runners-up</summary>";
    const list = document.createElement("ol");
    list.className = "runners";
    for (const runner of runners) {
      const item = document.createElement("li");
      item.textContent = `${runner.text} (${runner.cosine.toFixed(2)})`;
      list.appendChild(item);
    }
    details.appendChild(list);
    return details;
  }

  editor(id, node) {
    const form = document.createElement("form");
    form.className = "edit-form";
    const input = document.createElement("textarea");
    input.rows = 2;
    input.value = node.text ?? "";
    input.setAttribute("aria-label", "edit text");
    const save = document.createElement("button");
    save.type = "submit";
    save.textContent = "Save text";
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "Delete";
    remove.addEventListener("click", () => this.perform("node.delete", { node: id }));
    form.append(input, save, remove);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (input.value.trim()) this.perform("node.setText", { node: id, text: input.value.trim() });
    });
    return form;
  }
}
